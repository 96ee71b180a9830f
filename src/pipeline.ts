import path from "node:path";
import { type ConfigOverrides, type LoadedConfig, loadConfig } from "./config/load.ts";
import { checkCollisions } from "./content/check-collisions.ts";
import { validateArticle } from "./content/front-matter.ts";
import { loadArticles } from "./content/load.ts";
import { type Diagnostic, WirefeedError } from "./errors.ts";
import { FORMATS } from "./formats/registry.ts";
import { gateOutput } from "./gate/gate-output.ts";
import { resolveMedia } from "./media/resolve-media.ts";
import { buildModel } from "./model/build-model.ts";
import { planFeeds, selectArticles } from "./model/plan-feeds.ts";
import type { Article, FeedListing, FeedModel, MediaCopy, OutputFile, RenderedArticle } from "./model/types.ts";
import { type WriteFs, writeOutputs } from "./output/write.ts";
import { comparePrevious } from "./previous/compare-previous.ts";
import { loadPrevious } from "./previous/load-previous.ts";
import { openRenderCache } from "./cache/render-cache.ts";
import { renderArticles } from "./render/render-articles.ts";
import { EMPTY_STATE, applyFeedState } from "./state/feed-state.ts";
import { loadState, serializeState } from "./state/load-state.ts";
import { generateAutodiscoverySnippet } from "./formats/autodiscovery.ts";
import { generateOpml } from "./formats/opml.ts";
import { generateSubscribePage } from "./formats/subscribe-page.ts";

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
  /** Write the output folder; false runs every check and writes nothing. Default true. */
  write?: boolean;
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
  /** Use the rendered-HTML cache in `cacheDir`. Default true; false is `--no-cache`. */
  cache?: boolean;
}

/** One feed as built, with its file in each format. */
export interface BuiltFeed {
  model: FeedModel;
  /** Output paths by format, e.g. `{ rss: "tags/mexico/rss.xml", … }`. */
  paths: Record<"rss" | "atom" | "json", string>;
}

export interface BuildResult {
  loaded: LoadedConfig;
  /** Absolute output folder. */
  outDir: string;
  /** The main feed's model (the first of `feeds`). */
  model: FeedModel;
  feeds: BuiltFeed[];
  /** Every feed as the subscribe page and OPML list it. */
  listings: FeedListing[];
  /** Every text file: feeds, pages, OPML. */
  files: OutputFile[];
  /** Local media files copied into the output. */
  copies: MediaCopy[];
  written: string[];
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

/** load → validate: the config and every article, checked; throws when anything is wrong. */
export async function loadSite(options: Pick<BuildOptions, "cwd" | "configPath" | "overrides"> = {}): Promise<LoadedSite> {
  const loaded = await loadConfig(path.resolve(options.cwd ?? "."), {
    ...(options.configPath ? { configPath: options.configPath } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const { config, root } = loaded;
  const author = typeof config.author === "string" ? { name: config.author } : config.author;
  const { sources, diagnostics } = await loadArticles(root, config.articlesDir);
  const validated: Article[] = [];
  for (const source of sources) {
    const result = validateArticle(source, { ...config, author });
    diagnostics.push(...result.diagnostics);
    if (result.article) validated.push(result.article);
  }
  diagnostics.push(...checkCollisions(validated));
  const media = await resolveMedia(validated, root);
  diagnostics.push(...media.diagnostics);
  throwIfErrors(diagnostics, "the articles");
  return { loaded, articles: media.articles, copies: media.copies, diagnostics };
}

/** load → validate → render → select → model → formats → gate → write. */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const site = await loadSite(options);
  const { loaded, diagnostics } = site;
  const { config, root } = loaded;
  const author = typeof config.author === "string" ? { name: config.author } : config.author;
  const media = { articles: site.articles, copies: site.copies };

  // select → plan
  const now = options.now ?? new Date();
  const { live: selected, expired } = selectArticles(media.articles, {
    now,
    drafts: options.drafts ?? false,
    future: options.future ?? false,
  });
  const { plans, diagnostics: planDiagnostics } = planFeeds(selected, config, expired);
  diagnostics.push(...planDiagnostics);
  throwIfErrors(diagnostics, "the articles");

  // render: only the articles some feed shows, from the cache where the inputs are unchanged
  const needed = new Set(plans.flatMap((plan) => plan.articleIds));
  const cache = options.cache === false ? undefined : openRenderCache(path.resolve(root, config.cacheDir));
  const renderedList = await renderArticles(
    selected.filter((article) => needed.has(article.id)),
    {
      sanitize: { sanitize: config.sanitize, iframeHosts: config.iframeHosts },
      cache,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
  );
  const rendered = new Map<string, RenderedArticle>(renderedList.map((article) => [article.id, article]));

  // model (with the recorded state, so removals move `updated` once) → formats → gate
  const settings = { ...config, author };
  // The state records what was published: a build with drafts or future articles (a preview
  // of what is not out yet) neither reads nor writes it, so it cannot move the real feeds' dates.
  const stateFile = config.stateFile !== false && !options.drafts && !options.future ? config.stateFile : undefined;
  const state = stateFile === undefined ? EMPTY_STATE : await loadState(root, stateFile);
  const applied = applyFeedState(
    plans.map((plan) => buildModel(plan, rendered, settings)),
    state,
    now,
  );
  const feeds: BuiltFeed[] = [];
  const files: OutputFile[] = [];
  plans.forEach((plan, index) => {
    const model = applied.models[index] as FeedModel;
    const paths = { rss: plan.dir + config.files.rss, atom: plan.dir + config.files.atom, json: plan.dir + config.files.json };
    feeds.push({ model, paths });
    for (const format of FORMATS) {
      const contents = format.generate(model);
      gateOutput({
        path: paths[format.key],
        kind: format.kind,
        contents,
        items: model.items,
        regenerate: (items) => format.generate({ ...model, items }),
      });
      const size = Buffer.byteLength(contents);
      if (size > config.sizeBudget) {
        diagnostics.push({
          severity: "warning",
          code: "feed-too-large",
          file: path.posix.join(config.outDir, paths[format.key]),
          message: `${size} bytes, over the size budget of ${config.sizeBudget} bytes; lower limit or set fullContentItems so older items carry summaries`,
        });
      }
      files.push({ path: paths[format.key], contents, mediaType: format.mediaType });
    }
  });
  const listings: FeedListing[] = plans
    .map((plan, index) => ({ plan, model: feeds[index]?.model as FeedModel }))
    .filter(({ plan }) => plan.kind !== "archive")
    .map(({ plan, model }) => ({
      kind: plan.kind,
      name: plan.name,
      title: model.title,
      homePageUrl: model.homePageUrl,
      links: model.links,
      itemCount: model.items.length,
    }));
  const main = feeds[0]?.model as FeedModel;
  const mainListing = listings[0] as FeedListing;
  const pages: OutputFile[] = [
    {
      path: "index.html",
      contents: generateSubscribePage(main, listings, { timeZone: config.timeZone, latest: config.limit }),
      mediaType: "text/html",
    },
    { path: "feeds.opml", contents: generateOpml({ title: config.title, siteUrl: config.siteUrl, updated: main.updated }, listings), mediaType: "text/x-opml" },
    { path: "autodiscovery.html", contents: generateAutodiscoverySnippet(mainListing), mediaType: "text/html" },
  ];
  gateOutput({ path: "feeds.opml", kind: "xml", contents: pages[1]?.contents as string, items: [], regenerate: () => "" });
  files.push(...pages);

  // guard: compare with what is published now, before anything is written
  if (options.previous !== undefined) {
    const previous = await loadPrevious(options.previous, { root, jsonFile: config.files.json, ...(options.fetch ? { fetch: options.fetch } : {}) });
    if (previous.items === undefined) {
      diagnostics.push({ severity: "warning", code: "nothing-published", message: `nothing is published at ${previous.source} yet; the guard has nothing to compare with` });
    } else {
      const problems = comparePrevious(previous.items, main.items, {
        maxDropShare: config.maxDropShare,
        expiredIds: new Set(expired.map((article) => article.id)),
        full: main.items.length >= config.limit,
        allowIdChange: options.allowIdChange ?? false,
      });
      if (problems.length > 0) {
        throw new WirefeedError("GUARD_FAILED", `compared with ${previous.source}: the build would change what readers already have; nothing was written`, {
          diagnostics: sortDiagnostics([...diagnostics, ...problems]),
        });
      }
    }
  }

  // write
  const outDir = path.resolve(root, config.outDir);
  const { written, unchanged } =
    options.write === false ? { written: [], unchanged: [] } : await writeOutputs(outDir, [...files, ...media.copies], options.fs);
  // The state is written after the feeds: if this fails, the next build only repeats the work.
  if (options.write !== false && stateFile !== undefined) {
    await writeOutputs(root, [{ path: stateFile, contents: serializeState(applied.state), mediaType: "application/json" }], options.fs);
  }
  return {
    loaded,
    outDir,
    model: main,
    feeds,
    listings,
    files,
    copies: media.copies,
    written,
    unchanged,
    expired: expired.map(({ id, file, title, expires }) => ({ id, file, title, expires: expires as Date })),
    diagnostics: sortDiagnostics(diagnostics),
  };
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => (a.file ?? "").localeCompare(b.file ?? "") || (a.line ?? 0) - (b.line ?? 0),
  );
}
