import path from "node:path";
import { availableParallelism } from "node:os";
import { readFileSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { type ConfigOverrides, type LoadedConfig, loadConfig } from "./config/load.ts";
import { checkCollisions } from "./content/check-collisions.ts";
import { validateArticle } from "./content/front-matter.ts";
import { type LoadedArticles, loadArticles, readArticleBody } from "./content/load.ts";
import { type Diagnostic, WirefeedError } from "./errors.ts";
import { resolveMedia } from "./media/resolve-media.ts";
import { assembleModel, buildModel, buildModelItem } from "./model/build-model.ts";
import { planFeeds, selectArticles, warnFutureUpdates } from "./model/plan-feeds.ts";
import { FUTURE_TOLERANCE_MS } from "./dates.ts";
import type { Article, FeedItem, FeedListing, FeedModel, MediaCopy, OutputFile, RenderedArticle } from "./model/types.ts";
import { type Spill, openSpill } from "./output/spill.ts";
import { type WriteFs, openOutputWriter, writeOutputs } from "./output/write.ts";
import { type DocumentPool, openDocumentPool } from "./documents/document-pool.ts";
import type { GeneratedDocument } from "./documents/generate-document.ts";
import { comparePrevious } from "./previous/compare-previous.ts";
import { loadPrevious } from "./previous/load-previous.ts";
import { hasRenderCacheEntries, openRenderCache } from "./cache/render-cache.ts";
import {
  BUILD_INDEX_VERSION,
  BUILD_STAMP_VERSION,
  type BuildIndex,
  type BuildStamp,
  type FileStat,
  type IndexedDocument,
  type IndexedSource,
  RACY_MS,
  type StampedResult,
  buildIndexKey,
  digestInputs,
  openBuildIndex,
  readStamp,
  saveStamp,
} from "./cache/build-index.ts";
import { fingerprintArticle, fingerprintPages, fingerprintPlan } from "./model/fingerprint.ts";
import type { FeedPlan } from "./model/plan-feeds.ts";
import { type RenderPool, WORKER_THRESHOLD, checkWorkerCount, openRenderPool, renderArticles } from "./render/render-articles.ts";
import { EMPTY_STATE, type FeedState, applyFeedState, isCurrentDigest, startItemsDigest, startItemsDigestV1 } from "./state/feed-state.ts";
import { loadState, serializeState } from "./state/load-state.ts";

export interface BuildOptions {
  /** Folder to look for the config file in. Default: the current directory. */
  cwd?: string;
  /** Explicit config file. */
  configPath?: string;
  overrides?: ConfigOverrides;
  /** The build instant. Default: the clock (only used to decide what is "future"). */
  now?: Date;
  /** Include drafts. */
  drafts?: boolean;
  /** Include articles dated after `now`. */
  future?: boolean;
  /**
   * Write the output folder; false runs every check and writes nothing, and gives every document's
   * text in `files`. "compare" writes nothing either, but compares each document with the file in
   * the output folder as a build does: `written` lists those that differ or are missing, and
   * `unchanged` those that hold the same bytes; `files` is as in a build that writes, but a main
   * feed written as its items render has no contents to give. Default true.
   */
  write?: boolean | "compare";
  /** File operations, for tests that simulate a full disk. */
  fs?: WriteFs;
  /** The feeds published now (a folder or a URL), to guard against id changes and mass drops. */
  previous?: string;
  /** Let `previous` accept items whose id changed. */
  allowIdChange?: boolean;
  /** HTTP client for `previous` (tests). */
  fetch?: typeof fetch;
  /** Called after each article is rendered or found in the cache: `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
  /** Use the rendered-HTML cache and the build index in `cacheDir`. Default true; false is `--no-cache`. */
  cache?: boolean;
  /**
   * Generate the main feed even when the build index shows it unchanged, so that `model` is set
   * (preview shows its items, `build --verbose` lists them). Default false.
   */
  generateMain?: boolean;
  /**
   * Most distinct articles the documents generated together show: one such batch's rendered HTML
   * and documents are held in memory at once. Default BATCH_ARTICLES (4,000).
   */
  batchArticles?: number;
  /**
   * Fewest items of a feed written as its items render, each item's HTML spilled to a temp file
   * and let go (`documents/spill-items.ts`), when a batch holds that feed alone and the build
   * writes. Default BATCH_ARTICLES (4,000).
   */
  streamItems?: number;
  /** Bytes of article bodies held from their first read to their render. Default BODY_BYTES_KEPT (128 MB). */
  bodyBytesKept?: number;
  /**
   * Called between batches, between the steps that make a feed written as its items render, every
   * 500 items while such a feed renders, and after a large document is written, to collect the
   * garbage of each (issue 7: without a collection V8 let it pile up): for example `global.gc`
   * under `node --expose-gc`, which collects on every call. Always called with no argument (V8's
   * `gc(true)` is a minor collection only). The CLI passes one that collects only once the heap
   * has grown by 64 MB (`cli/collect-garbage.ts`). Default: none.
   */
  collectGarbage?: () => void;
  /** Render worker threads; 0 renders on the main thread. Default: by the articles to render and the cores (`renderArticles`). */
  renderWorkers?: number;
  /**
   * Document worker threads, which make feeds the build does not return: 0 makes every document
   * on the main thread. Default: one per core but one when some batch has POOL_MIN_FEEDS feeds
   * or more (none for a dry run, or on one core).
   */
  documentWorkers?: number;
}

/** One feed as built, with its file in each format. */
export interface BuiltFeed {
  /** The feed's model; undefined when the feed was reused (nothing it depends on changed). */
  model: FeedModel | undefined;
  /** Output paths by format, e.g. `{ rss: "tags/mexico/rss.xml", … }`. */
  paths: Record<"rss" | "atom" | "json", string>;
  /** Items in the feed. */
  items: number;
}

/** An output file: where it goes, its type and size. */
export interface OutputSummary {
  path: string;
  mediaType: string;
  bytes: number;
}

/** A file the build did not generate again, because nothing it is made from changed (issue 7). */
export interface ReusedFile {
  path: string;
  mediaType: string;
  bytes: number;
  /** Items in the feed document. */
  items: number;
}

export interface BuildResult {
  loaded: LoadedConfig;
  /** Absolute output folder. */
  outDir: string;
  /**
   * The main feed's model (the first of `feeds`); undefined when it was reused (see `generateMain`).
   * A main feed of `streamItems` items or more, written as its items rendered, has items without
   * their HTML (`html` is ""): it is in its documents, in `files`.
   */
  model: FeedModel | undefined;
  feeds: BuiltFeed[];
  /** Every feed as the subscribe page and OPML list it. */
  listings: FeedListing[];
  /**
   * Text files generated by this build, with their contents: every one in a dry run
   * (`write: false`); otherwise the main feed and the pages, because other documents are let go
   * once written (a large archive does not fit in memory at once), and the main feed's contents
   * are generated again from its model when first asked for (so read them before changing
   * `model`, which is the same object); a main feed written as its items rendered is read back
   * from its file instead (an error if the file is gone or its size changed). `outputs` lists them all.
   */
  files: OutputFile[];
  /** Every output file, generated or reused, in build order (feeds as planned, then the pages). */
  outputs: OutputSummary[];
  /**
   * Feed files left as they were without being generated again: the build index showed that
   * nothing they are made from changed and that the file is still as written. Also in `unchanged`.
   */
  reused: string[];
  reusedFiles: ReusedFile[];
  /** Local media files copied into the output. */
  copies: MediaCopy[];
  written: string[];
  /** Files whose bytes were already right, reused or made again, in build order (feeds as planned, the pages, then media copies). */
  unchanged: string[];
  /** Articles that left the feeds because their `expires` instant has come. */
  expired: { id: string; file: string; title: string; expires: Date }[];
  /** Warnings (errors throw). */
  diagnostics: Diagnostic[];
}

function throwIfErrors(diagnostics: Diagnostic[], what: string): void {
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) return;
  const count = errors.length === 1 ? "1 error" : `${errors.length} errors`;
  throw new WirefeedError("CONTENT_INVALID", `${count} in ${what}; nothing was written and the output folder is unchanged`, {
    diagnostics: sortDiagnostics(diagnostics),
  });
}

export interface LoadedSite {
  loaded: LoadedConfig;
  /** Every valid article, media read, in file order. */
  articles: Article[];
  /** Local media files to copy. */
  copies: MediaCopy[];
  /** Warnings (errors throw). */
  diagnostics: Diagnostic[];
}

export interface LoadSiteOptions extends Pick<BuildOptions, "cwd" | "configPath" | "overrides"> {
  /** Read and check every article's body too. Default false: large files are read up to their front matter. */
  bodies?: boolean;
}

/** load → validate: the config and every article, checked; throws when anything is wrong. */
export async function loadSite(options: LoadSiteOptions = {}): Promise<LoadedSite> {
  const { site } = await loadSiteWith(await loadProjectConfig(options), undefined, options.bodies ?? false);
  return site;
}

async function loadProjectConfig(options: Pick<BuildOptions, "cwd" | "configPath" | "overrides" | "cache">): Promise<LoadedConfig> {
  return loadConfig(path.resolve(options.cwd ?? "."), {
    ...(options.configPath ? { configPath: options.configPath } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    compile: options.cache !== false,
  });
}

/**
 * load → validate, taking from the build index every article whose file did not change: its
 * validated front matter, body digest and warnings, without reading it. Returns what the next
 * index records for each article.
 */
async function loadSiteWith(
  loaded: LoadedConfig,
  index: BuildIndex | undefined,
  bodies: boolean,
  listed?: LoadedArticles,
): Promise<{ site: LoadedSite; records: Map<string, IndexedSource>; listing: Listing }> {
  const { config, root } = loaded;
  const author = typeof config.author === "string" ? { name: config.author } : config.author;
  const { files, stats, sources, diagnostics } = await loadArticles(root, config.articlesDir, {
    ...(index ? { skip: (file, info) => index.findSource(file, info) !== undefined } : {}),
    ...(listed ? { listed } : {}),
    bodies,
  });
  const listing: Listing = { files, stats, warnings: [...diagnostics] };
  const read = new Map(sources.map((source) => [source.file, source]));
  const records = new Map<string, IndexedSource>();
  const validated: Article[] = [];
  for (const file of files) {
    const info = stats.get(file);
    const source = read.get(file);
    if (source === undefined) {
      const known = info && index?.findSource(file, info);
      if (!known) continue; // not read because it failed to load: its diagnostic is in the list
      diagnostics.push(...known.warnings);
      validated.push(known.article);
      records.set(file, known);
      continue;
    }
    const result = validateArticle(source, { ...config, author });
    diagnostics.push(...result.diagnostics);
    if (!result.article) continue;
    validated.push(result.article);
    if (info) {
      const article = { ...result.article, body: undefined };
      records.set(file, { stat: info, article, warnings: result.diagnostics, fingerprint: undefined });
    }
  }
  diagnostics.push(...checkCollisions(validated));
  const media = await resolveMedia(validated, root);
  diagnostics.push(...media.diagnostics);
  throwIfErrors(diagnostics, "the articles");
  return { site: { loaded, articles: media.articles, copies: media.copies, diagnostics }, records, listing };
}

/** The article files as listed, with their stats and the listing's warnings. */
interface Listing {
  files: string[];
  stats: Map<string, FileStat>;
  warnings: Diagnostic[];
}

/** load → validate → select → plan → render → model → formats → gate → guard → write. */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  // Wall clock, for the build index only (which files changed since): never in the output.
  const startedAt = Date.now();
  const loaded = await loadProjectConfig(options);
  const { config } = loaded;
  // Render workers for every batch of the build, started when first needed (or ahead, below),
  // and stopped however the build ends, or else a failed build would never let the process exit.
  checkWorkerCount(options.renderWorkers, "renderWorkers");
  checkWorkerCount(options.documentWorkers, "documentWorkers");
  const cores = availableParallelism();
  const workers = options.renderWorkers ?? (cores > 1 ? cores : 0);
  const renderPool = workers > 0 ? openRenderPool({ sanitize: config.sanitize, iframeHosts: config.iframeHosts }, workers) : undefined;
  // The spill file of feeds written as their items render: made on first use, removed however the build ends.
  const spill = openSpill();
  try {
    return await buildWith(options, loaded, startedAt, renderPool, spill);
  } finally {
    spill.remove();
    await renderPool?.close();
  }
}

async function buildWith(
  options: BuildOptions,
  loaded: LoadedConfig,
  startedAt: number,
  renderPool: RenderPool | undefined,
  spill: Spill,
): Promise<BuildResult> {
  const { config, root } = loaded;
  const author = typeof config.author === "string" ? { name: config.author } : config.author;
  const cacheDir = path.resolve(root, config.cacheDir);
  // The build index is part of the cache: `--no-cache` and runs that write nothing (write: false
  // or "compare") neither read nor write it.
  const settingsKey = buildIndexKey([loaded.sourceHash, JSON.stringify(config), String(options.drafts ?? false), String(options.future ?? false)]);
  const useIndex = options.cache !== false && (options.write ?? true) === true;
  const now = options.now ?? new Date();
  const outDir = path.resolve(root, config.outDir);
  const stateFile = config.stateFile !== false && !options.drafts && !options.future ? config.stateFile : undefined;
  let listed: LoadedArticles | undefined;
  if (useIndex && !options.generateMain && options.previous === undefined) {
    const unchanged = await findUnchangedBuild({ loaded, cacheDir, settingsKey, now, outDir, stateFile });
    if (unchanged && "result" in unchanged) return unchanged.result;
    // The articles as the stamp check listed them: not listed and stat'ed a second time.
    listed = unchanged?.listing;
  }
  const index = useIndex ? await openBuildIndex(cacheDir, settingsKey) : undefined;
  const { site, records, listing } = await loadSiteWith(loaded, index, false, listed);
  const { diagnostics } = site;
  const media = { articles: site.articles, copies: site.copies };

  // select → plan
  const { live: selected, expired } = selectArticles(media.articles, {
    now,
    drafts: options.drafts ?? false,
    future: options.future ?? false,
  });
  const { plans, diagnostics: planDiagnostics } = planFeeds(selected, config, expired);
  diagnostics.push(...planDiagnostics);
  throwIfErrors(diagnostics, "the articles");

  // bodies: the loader read large files only up to their front matter; every article a feed shows
  // is read whole now (its body checked and digested), before anything is fingerprinted or rendered.
  const planned = new Set(plans.flatMap((plan) => plan.articleIds));
  diagnostics.push(...warnFutureUpdates(selected, planned, now));
  // A build with nothing in the render cache (a fresh folder, or --no-cache) renders every
  // article a feed shows: with enough of them, the render workers start now, to load while the
  // bodies are read and the documents planned, rather than when the first render asks for them.
  if (renderPool && planned.size >= WORKER_THRESHOLD && (options.cache === false || !(await hasRenderCacheEntries(cacheDir)))) renderPool.start();
  for (const article of media.articles) {
    if (planned.has(article.id)) {
      // The warnings about a body read in an earlier build because a feed showed it, as now.
      if (article.bodyHash !== undefined) diagnostics.push(...(records.get(article.file)?.bodyWarnings ?? []));
    } else if (article.body !== undefined) {
      // A body no feed shows is of no more use (validated articles are this build's own objects).
      article.body = undefined;
    }
  }
  const keptBodies = new Map<string, Buffer>();
  const completed = new Map<string, Article>();
  // Without the cache (and so without the build index) nothing needs a body's digest before the
  // article is rendered: the bodies are read while the first ones render, and every problem found
  // in them is reported before anything is modelled or staged (issue 7).
  const readWhileRendering = options.cache === false;
  const arrivals = new Map<string, Promise<void>>();
  const reading = readMissingBodies(
    root,
    selected.filter((article) => article.bodyHash === undefined && planned.has(article.id)),
    { records, diagnostics, kept: keptBodies, keepBytes: options.bodyBytesKept ?? BODY_BYTES_KEPT, completed, arrivals },
  );
  // Handled here so that a read that fails while a render is failing is never unhandled; awaited below.
  reading.catch(() => undefined);
  const awaitBodies = async () => {
    await reading;
    throwIfErrors(diagnostics, "the articles");
  };
  if (!readWhileRendering) await awaitBodies();
  /**
   * A failure while the bodies are still being read waits for them (no read outlives the build),
   * and a problem in them is the error reported, as when they are checked first.
   */
  const failAfterBodies = async (error: unknown): Promise<never> => {
    if (readWhileRendering) await awaitBodies();
    throw error;
  };
  const current = (article: Article) => completed.get(article.id) ?? article;

  // The state records what was published: a build with drafts or future articles (a preview
  // of what is not out yet) neither reads nor writes it, so it cannot move the real feeds' dates.
  const state = stateFile === undefined ? EMPTY_STATE : await loadState(root, stateFile).catch(failAfterBodies);
  const pathsOf = (plan: FeedPlan) => ({ rss: plan.dir + config.files.rss, atom: plan.dir + config.files.atom, json: plan.dir + config.files.json });

  const listings: FeedListing[] = plans
    .filter((plan) => plan.kind !== "archive")
    .map((plan) => ({
      kind: plan.kind,
      name: plan.name,
      title: plan.title,
      homePageUrl: config.siteUrl,
      links: plan.links,
      itemCount: plan.articleIds.length,
    }));

  // reuse: a document whose inputs and output file are as the index recorded is not generated again.
  // The main feed is reused only together with the pages made from it (subscribe page, OPML,
  // autodiscovery), and never when the guard needs its items or the caller its model.
  const byId = new Map(media.articles.map((article) => [article.id, current(article)]));
  const articlePrints = new Map<string, string>();
  const articlePrint = (id: string) => {
    let print = articlePrints.get(id);
    if (print === undefined) {
      const article = byId.get(id) as Article;
      // Recorded before media files were read: an article with a local file is digested again with them.
      const hasLocalMedia = Boolean(article.image?.localPath || article.enclosure?.localPath);
      const record = records.get(article.file);
      print = hasLocalMedia ? undefined : record?.fingerprint;
      if (print === undefined) {
        print = fingerprintArticle(article);
        if (record && !hasLocalMedia) records.set(article.file, { ...record, fingerprint: print });
      }
      articlePrints.set(id, print);
    }
    return print;
  };
  const printOf = (plan: FeedPlan, entry: unknown) => fingerprintPlan(plan, articlePrint, settingsKey, entry);
  const pagesPrintOf = (mainPrint: string) => fingerprintPages(mainPrint, listings);
  const isIntact = (files: readonly string[], print: string) =>
    index !== undefined && files.every((file) => index.isDocumentIntact(file, path.join(outDir, ...file.split("/")), print));
  const reusable = plans.map((plan, position) => {
    if (!index) return false;
    const recorded = state.feeds[plan.links.json];
    // A digest of the first kind is recorded again with the new one (as a full build would), so
    // the feed is made again: with the same bytes, since its items compare as unchanged.
    if (recorded !== undefined && !isCurrentDigest(recorded)) return false;
    const print = printOf(plan, recorded);
    if (!isIntact(Object.values(pathsOf(plan)), print)) return false;
    if (position > 0) return true;
    return !options.generateMain && options.previous === undefined && isIntact(PAGES.map((page) => page.path), pagesPrintOf(print));
  });

  // render → model → formats → gate → stage, in batches of documents that show at most
  // BATCH_ARTICLES articles between them: only one batch's rendered HTML and documents are held at
  // once (issue 7), and each document is staged (temp file) as soon as it passes the gate.
  const settings = { ...config, author };
  const cache = options.cache === false ? undefined : openRenderCache(cacheDir);
  const renderOptions = {
    sanitize: { sanitize: config.sanitize, iframeHosts: config.iframeHosts },
    cache,
    ...(options.renderWorkers === undefined ? {} : { workers: options.renderWorkers }),
    ...(renderPool ? { pool: renderPool } : {}),
    readBody: async (article: Article) => {
      await arrivals.get(article.id);
      const kept = keptBodies.get(article.id);
      if (kept) {
        // Let go once used: an article a later batch renders again is read again.
        keptBodies.delete(article.id);
        return kept.toString("utf8");
      }
      // Not kept: over the budget, or its read found a problem (then every problem is reported).
      if (readWhileRendering) await awaitBodies();
      const read = await readArticleBody(root, article.file, { bodyHash: current(article).bodyHash });
      if (read.body === undefined) throwIfErrors(read.diagnostics, "the articles");
      return read.body as string;
    },
  };
  const generatedPlans = plans.map((plan, position) => ({ plan, position })).filter(({ position }) => !reusable[position]);
  const batches = batchPlans(generatedPlans, (entry) => entry.plan.articleIds, options.batchArticles ?? BATCH_ARTICLES);
  const toRender = batches.reduce((sum, batch) => sum + new Set(batch.flatMap((entry) => entry.plan.articleIds)).size, 0);
  let rendered = 0;
  const feeds: BuiltFeed[] = plans.map((plan) => ({ model: undefined, paths: pathsOf(plan), items: plan.articleIds.length }));
  const files: OutputFile[] = [];
  const reusedFiles: ReusedFile[] = [];
  /** Every file this build generated (kept or not), in order: what the build index records. */
  const generatedFiles: OutputSummary[] = [];
  const overBudget = (file: string, size: number) => {
    if (size <= config.sizeBudget) return;
    diagnostics.push({
      severity: "warning",
      code: "feed-too-large",
      file: path.posix.join(config.outDir, file),
      message: `${size} bytes, over the size budget of ${config.sizeBudget} bytes; lower limit or set fullContentItems so older items carry summaries`,
    });
  };
  /** What the next build's index records of each generated document, by output path. */
  const documents = new Map<string, IndexedDocument>();
  const prints = new Map<string, string>();
  const stateFeeds: FeedState["feeds"] = {};
  for (const { plan, position } of plans.map((plan, position) => ({ plan, position }))) {
    if (!reusable[position]) continue;
    const entry = state.feeds[plan.links.json];
    if (entry) stateFeeds[plan.links.json] = entry;
  }
  const { FORMATS, gateOutput, generateDocument, spillItems, generateSubscribePage, generateOpml, generateAutodiscoverySnippet } =
    generatedPlans.length > 0 ? await loadGenerators().catch(failAfterBodies) : ({} as Awaited<ReturnType<typeof loadGenerators>>);
  // Dry runs (write: false) return every document; a build that writes returns the main feed and
  // the pages, and drops each other document once it is staged.
  const keep = (position: number) => options.write === false || position === 0;
  const compareOnly = options.write === "compare";
  const writer = options.write === false ? undefined : openOutputWriter(outDir, options.fs, { compareOnly });
  /** The documents `files` gives as read back from their files (a spilled main feed's). */
  const readBack: WrittenDocument[] = [];
  /** Document worker threads for batches of up to `feeds` feeds: none for a dry run or small batches. */
  const documentWorkers = (feeds: number) =>
    options.documentWorkers ?? (writer && feeds >= POOL_MIN_FEEDS && availableParallelism() > 1 ? availableParallelism() - 1 : 0);
  let pool: DocumentPool | undefined;
  /** Stage one feed's documents (FORMATS order) and record what the build index and the result need of them. */
  /** One feed's document in each format, made on this thread. */
  const makeDocument = (format: (typeof FORMATS)[number], model: FeedModel, plan: FeedPlan) =>
    generateDocument(format, model, pathsOf(plan)[format.key], { encodeLiterals: writer !== undefined });
  /**
   * Stage one feed's documents (FORMATS order), each as `documentOf` gives it (made then, or
   * already made), and record what the build index and the result need of them.
   */
  const stageFeed = async (
    entry: { plan: FeedPlan; position: number },
    model: FeedModel,
    state: FeedState,
    documentOf: (format: (typeof FORMATS)[number], at: number) => GeneratedDocument,
    spilled = false,
  ) => {
    const { plan, position } = entry;
    const paths = pathsOf(plan);
    // The fingerprint the next build computes when nothing changes: with the state recorded now.
    // Only the build index uses it (and without the cache a body may not be digested yet).
    const print = index ? printOf(plan, stateFile === undefined ? undefined : state.feeds[plan.links.json]) : undefined;
    /** Make `format`'s document, stage it and record it; its size in UTF-8 bytes. */
    const stageDocument = (format: (typeof FORMATS)[number], at: number): number => {
      const { parts, bytes } = documentOf(format, at);
      overBudget(paths[format.key], bytes);
      const document = { path: paths[format.key], parts, mediaType: format.mediaType };
      writer?.stage(document);
      generatedFiles.push({ path: document.path, mediaType: document.mediaType, bytes });
      // A spilled feed's model holds no HTML: its contents are the file as written. The closure
      // takes what it needs, not `document`, which would hold every piece of it to the end.
      const onDisk: WrittenDocument = { file: path.join(outDir, ...document.path.split("/")), bytes, stat: undefined };
      if (spilled && keep(position) && !compareOnly) readBack.push(onDisk);
      const unkept = `${document.path}: a build that compares keeps no text of a feed written as its items render`;
      const contents = !spilled
        ? () => format.generate(model)
        : compareOnly
          ? () => {
              throw new Error(unkept);
            }
          : () => readWritten(onDisk);
      if (keep(position)) files.push(writer ? generateLater(document, contents) : { path: document.path, contents: (parts as string[]).join(""), mediaType: document.mediaType });
      if (print !== undefined) prints.set(paths[format.key], print);
      return bytes;
    };
    for (const [at, format] of FORMATS.entries()) {
      // Made in a call of its own: held in this async function's frame, a document's pieces
      // stayed alive after their write until the next document replaced them (issue 7).
      const bytes = stageDocument(format, at);
      // A large document is written out before the next is generated, so the two are never
      // held at once: the write cannot start while the caller's loop runs (issue 7). Its pieces
      // are garbage then, and the next document (or the pages) would otherwise be made on top of them.
      if (bytes >= FLUSH_AFTER_BYTES) {
        await writer?.flush();
        options.collectGarbage?.();
      }
    }
  };
  try {
    // Started before the first render, so that they have loaded by the time the first feeds are made.
    const workers = documentWorkers(Math.max(0, ...batches.map((batch) => batch.length)));
    if (writer && batches.length > 0 && workers > 0) pool = openDocumentPool(workers);
    const selectedById = new Map(selected.map((article) => [article.id, article]));
    for (const [batchIndex, batch] of batches.entries()) {
      // What the batch before left (its HTML, its documents) is garbage now, which V8 left for
      // the next batch's to pile onto (issue 7: 1.03 GB at the peak with archives at 50,000
      // articles, 0.93 GB with this collection).
      if (batchIndex > 0) options.collectGarbage?.();
      const ids = new Set(batch.flatMap((entry) => entry.plan.articleIds));
      const offset = rendered;
      const streamed = batch.length === 1 && writer !== undefined && (batch[0] as (typeof batch)[number]).plan.articleIds.length >= (options.streamItems ?? BATCH_ARTICLES);
      if (streamed) {
        // One large feed: each item is modelled, digested, checked and spilled as it renders,
        // and its HTML let go; the documents are made once every item is in (issue 7).
        const entry = batch[0] as (typeof batch)[number];
        const { plan, position } = entry;
        const spilledItems = spillItems(spill, pathsOf(plan), options.collectGarbage);
        const recorded = state.feeds[plan.links.json];
        const digest = startItemsDigest();
        const digestV1 = typeof recorded?.items === "string" && !isCurrentDigest(recorded) ? startItemsDigestV1() : undefined;
        const items: FeedItem[] = [];
        await renderArticles(
          plan.articleIds.map((id) => current(selectedById.get(id) as Article)),
          {
            ...renderOptions,
            ...(options.onProgress ? { onProgress: (done: number) => options.onProgress?.(offset + done, toRender) } : {}),
            onArticle: (article, index) => {
              const item = buildModelItem(article.summary === undefined ? article : { ...article, text: "" }, index, settings);
              digest.add(item);
              digestV1?.add(item);
              items.push(spilledItems.add(item));
              // Each item leaves its HTML, in three forms, as garbage: V8 let it pile up to
              // 700 MB on a busy machine (issue 7), so the build asks every so many items.
              if (items.length % COLLECT_EVERY_ITEMS === 0) options.collectGarbage?.();
            },
          },
        );
        if (batchIndex === batches.length - 1) renderPool?.close().catch(() => undefined);
        rendered += items.length;
        if (readWhileRendering) await awaitBodies();
        const unapplied = assembleModel(plan, items, settings);
        const applied = applyFeedState([unapplied], state, now, new Map([[unapplied, { items: digest.digest(), v1: digestV1?.digest() }]]));
        Object.assign(stateFeeds, applied.state.feeds);
        const model = applied.models[0] as FeedModel;
        await stageFeed(entry, model, applied.state, (format) => spilledItems.generate(format, model), true);
        // What the build returns holds no stand-in: the items' HTML is in the documents only.
        if (keep(position)) (feeds[position] as BuiltFeed).model = { ...model, items: model.items.map((item) => ({ ...item, html: "" })) };
        await writer.flush();
        // Every document that needed the spilled HTML is written: the next large feed starts afresh.
        spill.reset();
        continue;
      }
      const renderedList = await renderArticles(selected.filter((article) => ids.has(article.id)).map(current), {
        ...renderOptions,
        ...(options.onProgress ? { onProgress: (done: number) => options.onProgress?.(offset + done, toRender) } : {}),
      });
      // Stopped after the last render, so that their memory is free while the documents are made;
      // not waited for here (build() waits in its finally): they exit while the work goes on.
      if (batchIndex === batches.length - 1) renderPool?.close().catch(() => undefined);
      rendered += renderedList.length;
      if (readWhileRendering) await awaitBodies();
      // The plain text only serves to derive a summary: an article with one of its own drops it.
      const byArticle = new Map<string, RenderedArticle>(
        renderedList.map((article) => [article.id, article.summary === undefined ? article : { ...article, text: "" }]),
      );
      renderedList.length = 0;
      // model (with the recorded state, so removals move `updated` once)
      const applied = applyFeedState(
        batch.map((entry) => buildModel(entry.plan, byArticle, settings)),
        state,
        now,
      );
      byArticle.clear();
      Object.assign(stateFeeds, applied.state.feeds);
      // Feeds the main thread does not keep go to document workers when the batch has enough of
      // them to pay for starting the workers; the main thread makes one itself whenever every
      // worker is busy. Whoever makes them, they are staged in plan order (issue 7).
      const outcomes: (Outcome | undefined)[] = [];
      let staged = 0;
      const stageSettled = async (all: boolean) => {
        while (staged < outcomes.length && (all || (outcomes[staged] as Outcome).settled)) {
          const documents: (GeneratedDocument | undefined)[] = await (outcomes[staged] as Outcome).documents;
          // Let go once staged: the writer holds the documents until they are written.
          outcomes[staged] = undefined;
          // Each document let go as it is staged: held here, it outlived its write.
          await stageFeed(batch[staged] as (typeof batch)[number], applied.models[staged] as FeedModel, applied.state, (_format, at) => {
            const document = documents[at] as GeneratedDocument;
            documents[at] = undefined;
            return document;
          });
          staged++;
        }
      };
      for (const [at, { plan, position }] of batch.entries()) {
        const model = applied.models[at] as FeedModel;
        if (keep(position)) (feeds[position] as BuiltFeed).model = model;
        const small = !keep(position) && model.items.length <= POOL_MAX_ITEMS;
        if (pool && small && pool.hasRoom()) {
          const encoded = pool.generate(model, pathsOf(plan));
          outcomes.push(track(encoded.then((documents) => documents.map((bytes) => ({ parts: [bytes], bytes: bytes.length })))));
        } else if (pool && small) {
          // Every worker is busy: made here, and held until the feeds before it are staged.
          outcomes.push(makeHere(() => FORMATS.map((format) => makeDocument(format, model, plan))));
          // A turn of the event loop, so that the workers' results come in.
          await nextTurn();
        } else {
          // After every feed before it, made and staged one format at a time, so that a large
          // document is written out before the next is made (FLUSH_AFTER_BYTES).
          await stageSettled(true);
          await stageFeed(batch[at] as (typeof batch)[number], model, applied.state, (format) => makeDocument(format, model, plan));
          outcomes.push(undefined);
          staged++;
        }
        await stageSettled(false);
      }
      await stageSettled(true);

      // Written out before the next batch is rendered, so its documents can be let go.
      await writer?.flush();
    }
    plans.forEach((plan, position) => {
      if (!reusable[position]) return;
      for (const file of Object.values(pathsOf(plan))) {
        const entry = index?.findDocument(file) as IndexedDocument;
        documents.set(file, entry);
        reusedFiles.push({ path: file, mediaType: entry.mediaType, bytes: entry.size, items: entry.items });
        overBudget(file, entry.size);
      }
    });
  } catch (error) {
    await pool?.close();
    await writer?.abort();
    return failAfterBodies(error);
  }
  await pool?.close();
  const sortedState: FeedState = { version: 1, feeds: Object.fromEntries(Object.entries(stateFeeds).sort(([a], [b]) => (a < b ? -1 : 1))) };
  const main = feeds[0]?.model;
  if (main) {
    const mainListing = listings[0] as FeedListing;
    let contents: Record<(typeof PAGES)[number]["path"], string>;
    try {
      contents = {
        "index.html": generateSubscribePage(main, listings, { timeZone: config.timeZone, latest: config.limit }),
        "feeds.opml": generateOpml({ title: config.title, siteUrl: config.siteUrl, updated: main.updated }, listings),
        "autodiscovery.html": generateAutodiscoverySnippet(mainListing),
      };
      gateOutput({ path: "feeds.opml", kind: "xml", contents: contents["feeds.opml"], items: [], regenerate: () => "" });
    } catch (error) {
      await writer?.abort();
      throw error;
    }
    const mainPrint = prints.get(pathsOf(plans[0] as FeedPlan).json);
    const pagesPrint = mainPrint === undefined ? undefined : pagesPrintOf(mainPrint);
    for (const page of PAGES) {
      const file = { path: page.path, contents: contents[page.path], mediaType: page.mediaType };
      writer?.stage(file);
      generatedFiles.push({ path: file.path, mediaType: file.mediaType, bytes: Buffer.byteLength(file.contents) });
      files.push(file);
      if (pagesPrint !== undefined) prints.set(page.path, pagesPrint);
    }
  } else {
    for (const page of PAGES) {
      const entry = index?.findDocument(page.path) as IndexedDocument;
      documents.set(page.path, entry);
      reusedFiles.push({ path: page.path, mediaType: entry.mediaType, bytes: entry.size, items: 0 });
    }
  }

  // guard: compare with what is published now, before anything is renamed into place
  if (options.previous !== undefined) {
    const previous = await loadPrevious(options.previous, { root, jsonFile: config.files.json, ...(options.fetch ? { fetch: options.fetch } : {}) }).catch(
      async (error: unknown) => {
        await writer?.abort();
        throw error;
      },
    );
    if (previous.items === undefined) {
      diagnostics.push({ severity: "warning", code: "nothing-published", message: `nothing is published at ${previous.source} yet; the guard has nothing to compare with` });
    } else {
      // With `previous`, the main feed is always generated (see reusable).
      const items = (main as FeedModel).items;
      const problems = comparePrevious(previous.items, items, {
        maxDropShare: config.maxDropShare,
        expiredIds: new Set(expired.map((article) => article.id)),
        full: items.length >= config.limit,
        allowIdChange: options.allowIdChange ?? false,
      });
      if (problems.length > 0) {
        await writer?.abort();
        throw new WirefeedError("GUARD_FAILED", `compared with ${previous.source}: the build would change what readers already have; nothing was written`, {
          diagnostics: sortDiagnostics([...diagnostics, ...problems]),
        });
      }
    }
  }

  // write: rename every staged file into place (all or none), then the state
  const written: string[] = [];
  const unchanged: string[] = [];
  if (writer) {
    for (const copy of media.copies) writer.stage(copy);
    const result = await writer.commit();
    // What each document read back is, as written: a later change to the file is then noticed.
    // (A file the stat cannot find, or a write through another file system, is never read back.)
    for (const entry of readBack) entry.stat = statOf(path.dirname(entry.file), path.basename(entry.file));
    written.push(...result.written);
    unchanged.push(...result.unchanged);
    // The state is written after the feeds: if this fails, the next build only repeats the work.
    if (stateFile !== undefined && !compareOnly) {
      await writeOutputs(root, [{ path: stateFile, contents: serializeState(sortedState), mediaType: "application/json" }], options.fs);
    }
  }
  const reused = reusedFiles.map((file) => file.path);
  unchanged.push(...reused);
  /** Every output document in build order: the feeds as planned, then the pages. */
  const documentPaths = [...feeds.flatMap((feed) => Object.values(feed.paths)), ...PAGES.map((page) => page.path)];
  // In build order (media copies last): whether a document is reused or made again with the
  // same bytes depends on file times, and the list must not.
  const buildOrder = new Map(documentPaths.map((file, at) => [file, at]));
  unchanged.sort((a, b) => (buildOrder.get(a) ?? buildOrder.size) - (buildOrder.get(b) ?? buildOrder.size));
  if (index) {
    // Record each generated document as it now is on disk; a file that cannot be read back is left out.
    const itemsAt = new Map(feeds.flatMap((feed) => Object.values(feed.paths).map((file) => [file, feed.items] as const)));
    await Promise.all(
      generatedFiles.map(async (file) => {
        const print = prints.get(file.path);
        if (print === undefined) return;
        const info = await stat(path.join(outDir, ...file.path.split("/"))).catch(() => undefined);
        if (!info) return;
        documents.set(file.path, { fingerprint: print, size: info.size, mtimeMs: info.mtimeMs, items: itemsAt.get(file.path) ?? 0, mediaType: file.mediaType });
      }),
    );
    await index.save({ version: BUILD_INDEX_VERSION, key: settingsKey, startedAt, sources: records, documents });
    const outputs = documentPaths.map((file) => {
      const entry = documents.get(file);
      return entry && { path: file, mediaType: entry.mediaType, bytes: entry.size, items: entry.items, mtimeMs: entry.mtimeMs };
    });
    const result: StampedResult = {
      feeds: feeds.map((feed) => ({ paths: feed.paths, items: feed.items })),
      listings,
      outputs: outputs.filter((entry) => entry !== undefined),
      diagnostics: sortDiagnostics(diagnostics),
      expired: expired.map(({ id, file, title, expires }) => ({ id, file, title, expires: (expires as Date).toISOString() })),
    };
    const stamp =
      outputs.every((entry) => entry !== undefined)
        ? await makeStamp({ loaded, settingsKey, startedAt, now, outDir, listing, articles: media.articles, copies: media.copies, stateFile, result })
        : undefined;
    await saveStamp(cacheDir, stamp);
  }
  const byPath = new Map<string, OutputSummary>([...generatedFiles, ...reusedFiles].map((file) => [file.path, { path: file.path, mediaType: file.mediaType, bytes: file.bytes }]));
  const outputs = documentPaths
    .map((file) => byPath.get(file))
    .filter((file) => file !== undefined);
  return {
    loaded,
    outDir,
    model: main,
    feeds,
    listings,
    files,
    outputs,
    reused,
    reusedFiles,
    copies: media.copies,
    written,
    unchanged,
    expired: expired.map(({ id, file, title, expires }) => ({ id, file, title, expires: expires as Date })),
    diagnostics: sortDiagnostics(diagnostics),
  };
}

interface StampContext {
  loaded: LoadedConfig;
  settingsKey: string;
  stateFile: string | undefined;
}

/** The stat of a file under the root, or undefined when it is not there. */
function statOf(root: string, file: string): FileStat | undefined {
  try {
    const { size, mtimeMs, ctimeMs, ino } = statSync(path.resolve(root, ...file.split("/")));
    return { size, mtimeMs, ctimeMs, ino };
  } catch {
    return undefined;
  }
}

/** Everything a stamp vouches for but the article files: the listing's warnings, the state file, local media. */
function digestOthers(ctx: StampContext, warnings: readonly Diagnostic[], media: readonly string[]): string {
  const { root } = ctx.loaded;
  const others: [string, FileStat | undefined][] = [[`state:${ctx.stateFile ?? ""}`, ctx.stateFile ? statOf(root, ctx.stateFile) : undefined]];
  for (const file of media) others.push([`media:${file}`, statOf(root, file)]);
  return digestInputs(others, JSON.stringify({ warnings, media }));
}

/**
 * The stamp of a build that just wrote its outputs; undefined when an input could still change
 * unseen (an article or media file changed within RACY_MS of this build's start).
 */
async function makeStamp(
  ctx: StampContext & {
    startedAt: number;
    now: Date;
    outDir: string;
    listing: Listing;
    articles: readonly Article[];
    copies: readonly MediaCopy[];
    result: StampedResult;
  },
): Promise<BuildStamp | undefined> {
  const media = ctx.copies.map((copy) => copy.path);
  const mediaStats = media.map((file) => statOf(ctx.loaded.root, file));
  const settled = (info: FileStat | undefined) => info !== undefined && info.mtimeMs < ctx.startedAt - RACY_MS;
  if (![...ctx.listing.stats.values(), ...mediaStats].every(settled)) return undefined;
  // The window of build instants in which the same articles are live, and the same ones draw the
  // warning of an update in the future (warnFutureUpdates): between the last date, expiry or end
  // of such a warning at or before `now` and the first one after it.
  let from: number | null = null;
  let until: number | null = null;
  const at = ctx.now.getTime();
  for (const article of ctx.articles) {
    for (const instant of [article.published.getTime(), article.expires?.getTime(), article.updated.getTime() - FUTURE_TOLERANCE_MS]) {
      if (instant === undefined) continue;
      if (instant <= at) from = from === null ? instant : Math.max(from, instant);
      else until = until === null ? instant : Math.min(until, instant);
    }
  }
  const copies: BuildStamp["copies"] = [];
  for (const file of media) {
    const info = statOf(ctx.outDir, file);
    if (!info) return undefined;
    copies.push({ path: file, size: info.size, mtimeMs: info.mtimeMs });
  }
  return {
    version: BUILD_STAMP_VERSION,
    key: ctx.settingsKey,
    startedAt: ctx.startedAt,
    inputs: digestInputs(
      ctx.listing.files.map((file) => [file, ctx.listing.stats.get(file)] as const),
      digestOthers(ctx, ctx.listing.warnings, media),
    ),
    media,
    copies,
    from,
    until,
    result: ctx.result,
  };
}

/**
 * The result of a build that would change nothing, decided from the stamp and `stat` calls alone:
 * the same article files with the same stats (all older than the stamping build by RACY_MS), the
 * same state and media files, a build instant in the same window, and every output file as the
 * stamp recorded it (and older than the stamp). Undefined when any of that does not hold.
 */
async function findUnchangedBuild(
  ctx: StampContext & { cacheDir: string; now: Date; outDir: string },
): Promise<{ result: BuildResult } | { listing: LoadedArticles } | undefined> {
  const found = await readStamp(ctx.cacheDir, ctx.settingsKey);
  if (!found) return undefined;
  const { stamp, savedAt } = found;
  const at = ctx.now.getTime();
  if ((stamp.from !== null && at < stamp.from) || (stamp.until !== null && at >= stamp.until)) return undefined;
  const { config, root } = ctx.loaded;
  const outputs = [...stamp.result.outputs.map((output) => ({ path: output.path, size: output.bytes, mtimeMs: output.mtimeMs })), ...stamp.copies];
  for (const output of outputs) {
    const info = statOf(ctx.outDir, output.path);
    if (!info || info.size !== output.size || info.mtimeMs !== output.mtimeMs || !(output.mtimeMs < savedAt)) return undefined;
  }
  if (ctx.stateFile) {
    const info = statOf(root, ctx.stateFile);
    if (info && !(info.mtimeMs < savedAt)) return undefined;
  }
  const listing = await loadArticles(root, config.articlesDir, { skip: () => true });
  if (![...listing.stats.values()].every((info) => info.mtimeMs < stamp.startedAt - RACY_MS)) return { listing };
  const inputs = digestInputs(
    listing.files.map((file) => [file, listing.stats.get(file)] as const),
    digestOthers(ctx, listing.diagnostics, stamp.media),
  );
  if (inputs !== stamp.inputs) return { listing };
  const reusedFiles = stamp.result.outputs.map(({ mtimeMs: _mtimeMs, ...file }) => file);
  const reused = reusedFiles.map((file) => file.path);
  const result: BuildResult = {
    loaded: ctx.loaded,
    outDir: ctx.outDir,
    model: undefined,
    feeds: stamp.result.feeds.map((feed) => ({ model: undefined, paths: feed.paths, items: feed.items })),
    listings: stamp.result.listings as FeedListing[],
    files: [],
    outputs: reusedFiles.map(({ path: file, mediaType, bytes }) => ({ path: file, mediaType, bytes })),
    reused,
    reusedFiles,
    copies: [],
    written: [],
    unchanged: reused,
    expired: stamp.result.expired.map((item) => ({ ...item, expires: new Date(item.expires) })),
    diagnostics: stamp.result.diagnostics,
  };
  return { result };
}

/** Most distinct articles the documents of one batch show: one batch's HTML and documents are held at once. */
const BATCH_ARTICLES = 4000;

/** A document at least this large is written out before the next one is generated. */
const FLUSH_AFTER_BYTES = 8_000_000;

/** Items of a streamed feed between two calls of `collectGarbage` while it renders. */
const COLLECT_EVERY_ITEMS = 500;

/**
 * Fewest feeds in a batch before document workers are started by default. Starting two costs
 * about 0.2 s, and a feed of 20 full items about 8 ms to make on the main thread (issue 7).
 */
const POOL_MIN_FEEDS = 48;

/**
 * Most items in a feed sent to a document worker: its model is copied there, so a feed larger
 * than this is made on the main thread, where the copy would cost more than it saves.
 */
const POOL_MAX_ITEMS = 1000;

/** One feed's documents being made, on the main thread or a worker, and whether that has ended. */
interface Outcome {
  documents: Promise<GeneratedDocument[]>;
  settled: boolean;
}

/** An outcome that records when it settles; a rejection is handled here and seen when awaited. */
function track(documents: Promise<GeneratedDocument[]>): Outcome {
  const outcome: Outcome = { documents, settled: false };
  documents.then(
    () => (outcome.settled = true),
    () => (outcome.settled = true),
  );
  return outcome;
}

/**
 * Documents made now, on this thread: settled at once, so they are staged as soon as the feeds
 * before them are (and a large one written out before the next is made); what `make` throws is
 * the rejection, seen in plan order.
 */
function makeHere(make: () => GeneratedDocument[]): Outcome {
  let documents: Promise<GeneratedDocument[]>;
  try {
    documents = Promise.resolve(make());
  } catch (error) {
    documents = Promise.reject(error);
    documents.catch(() => undefined);
  }
  return { documents, settled: true };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Cut `entries` (in order) into batches whose articles (by id) number at most `limit`; an
 * entry with more articles than that is a batch of its own.
 */
function batchPlans<T>(entries: readonly T[], idsOf: (entry: T) => readonly string[], limit: number): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let ids = new Set<string>();
  for (const entry of entries) {
    const adding = idsOf(entry).filter((id) => !ids.has(id));
    if (batch.length > 0 && ids.size + adding.length > limit) {
      batches.push(batch);
      batch = [];
      ids = new Set();
    }
    batch.push(entry);
    for (const id of idsOf(entry)) ids.add(id);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Bytes of article bodies held (as UTF-8) between reading them for their digests and rendering
 * them: the bodies of 16,000 articles of 8 KB. Past that only the digest is, and a render that
 * misses the cache reads the file again (issue 7: 100,000 bodies are ~1.6 GB as strings with a
 * character outside Latin-1; reading 6,000 of 10,000 bodies twice cost a cold build 0.9 s).
 */
const BODY_BYTES_KEPT = 128_000_000;

/** Where readMissingBodies puts what it reads. */
interface BodyReads {
  /** Articles by file, for the build index: each read body's digest and warnings are recorded. */
  records: Map<string, IndexedSource>;
  /** Problems found in the bodies. */
  diagnostics: Diagnostic[];
  /** Bodies as UTF-8 by article id, up to `keepBytes` in all. */
  kept: Map<string, Buffer>;
  keepBytes: number;
  /** Each article read without a problem, with its body's digest (and no body), by id. */
  completed: Map<string, Article>;
  /** Settles (never rejects) when the read of an article by id has ended, read or not. */
  arrivals: Map<string, Promise<void>>;
}

/** Bodies read between two turns of the event loop, so that render workers are kept busy meanwhile. */
const READS_PER_TURN = 64;

/**
 * Read the bodies of `articles` (their files were read only up to the front matter), check them,
 * and record their digests and warnings for the build index, filling `into` as each one is read.
 * Resolves when all are read; rejects when a file changed during the build.
 */
async function readMissingBodies(root: string, articles: readonly Article[], into: BodyReads): Promise<void> {
  const { records, diagnostics, kept, keepBytes, completed, arrivals } = into;
  const settle = new Map<string, () => void>();
  for (const article of articles) arrivals.set(article.id, new Promise<void>((resolve) => settle.set(article.id, resolve)));
  let keptBytes = 0;
  try {
    // One after another: the reads are synchronous (the thread pool's round trips cost more than
    // the call), and a turn of the event loop every READS_PER_TURN lets render workers be fed.
    for (const [position, article] of articles.entries()) {
      if (position > 0 && position % READS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const record = records.get(article.file);
      const read = await readArticleBody(root, article.file, { stat: record?.stat });
      diagnostics.push(...read.diagnostics);
      if (read.body !== undefined && !read.diagnostics.some((diagnostic) => diagnostic.severity === "error")) {
        completed.set(article.id, { ...article, body: undefined, bodyHash: read.bodyHash });
        if (keptBytes < keepBytes) {
          const bytes = Buffer.from(read.body, "utf8");
          keptBytes += bytes.length;
          kept.set(article.id, bytes);
        }
        if (record) {
          const stored = { ...record.article, bodyHash: read.bodyHash };
          records.set(article.file, { ...record, article: stored, bodyWarnings: read.diagnostics, fingerprint: undefined });
        }
      }
      settle.get(article.id)?.();
    }
  } finally {
    // A read that threw (the file changed) ends them all: every article still waiting is settled.
    for (const resolve of settle.values()) resolve();
  }
}

/** A document written by the build, and the file's stat once every file was renamed into place. */
interface WrittenDocument {
  file: string;
  bytes: number;
  stat: FileStat | undefined;
}

/**
 * A document as this build wrote it, read back. It throws when the file is gone or is not the
 * one the build left (another size, time, change time or inode: a later build renames a new file
 * into place, and any write moves the change time, which no one can set back).
 */
function readWritten(written: WrittenDocument): string {
  const now = statOf(path.dirname(written.file), path.basename(written.file));
  const then = written.stat;
  const same = (a: FileStat, b: FileStat) => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
  if (!then || !now || now.size !== written.bytes || !same(now, then)) {
    throw new Error(`${written.file} is gone or changed since the build wrote it, and the build did not keep its text (a feed written as its items rendered)`);
  }
  return readFileSync(written.file, "utf8");
}

/**
 * A written document's entry in `BuildResult.files`: its contents are generated again from the
 * model when first asked for (the CLI reads the main JSON Feed to list what changed), so the build
 * does not hold the text of its largest documents to the end. Generation is deterministic: the
 * text is the bytes this build wrote, whatever happens to the output folder afterwards.
 */
function generateLater(document: { path: string; mediaType: string }, generate: () => string): OutputFile {
  let contents: string | undefined;
  return {
    path: document.path,
    mediaType: document.mediaType,
    get contents() {
      contents ??= generate();
      return contents;
    },
  };
}

/**
 * The generators and the gate, loaded only when a build generates something: feed, ajv and saxes
 * cost a build that reuses every document about 100 ms to load.
 */
async function loadGenerators() {
  const [registry, gate, subscribe, opml, autodiscovery, documents, spill] = await Promise.all([
    import("./formats/registry.ts"),
    import("./gate/gate-output.ts"),
    import("./formats/subscribe-page.ts"),
    import("./formats/opml.ts"),
    import("./formats/autodiscovery.ts"),
    import("./documents/generate-document.ts"),
    import("./documents/spill-items.ts"),
  ]);
  return {
    FORMATS: registry.FORMATS,
    gateOutput: gate.gateOutput,
    generateDocument: documents.generateDocument,
    spillItems: spill.spillItems,
    generateSubscribePage: subscribe.generateSubscribePage,
    generateOpml: opml.generateOpml,
    generateAutodiscoverySnippet: autodiscovery.generateAutodiscoverySnippet,
  };
}

/** The pages made from the main feed and the feed list, in the order they are written. */
const PAGES = [
  { path: "index.html", mediaType: "text/html" },
  { path: "feeds.opml", mediaType: "text/x-opml" },
  { path: "autodiscovery.html", mediaType: "text/html" },
] as const;

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => (a.file ?? "").localeCompare(b.file ?? "") || (a.line ?? 0) - (b.line ?? 0),
  );
}
