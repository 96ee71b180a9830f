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
import type { Article, FeedListing, FeedModel, OutputFile, RenderedArticle } from "./model/types.ts";
import { type WriteFs, writeOutputs } from "./output/write.ts";
import { createArticleRenderer } from "./render/render-article.ts";

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
  files: OutputFile[];
  written: string[];
  unchanged: string[];
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

/** load → validate → render → select → model → formats → gate → write. */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const loaded = await loadConfig(path.resolve(options.cwd ?? "."), {
    ...(options.configPath ? { configPath: options.configPath } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const { config, root } = loaded;
  const author = typeof config.author === "string" ? { name: config.author } : config.author;

  // load → validate
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

  // select → plan
  const now = options.now ?? new Date();
  const selected = selectArticles(media.articles, { now, drafts: options.drafts ?? false, future: options.future ?? false });
  const { plans, diagnostics: planDiagnostics } = planFeeds(selected, config);
  diagnostics.push(...planDiagnostics);
  throwIfErrors(diagnostics, "the articles");

  // render: only the articles some feed shows
  const needed = new Set(plans.flatMap((plan) => plan.articleIds));
  const renderArticle = createArticleRenderer({ sanitize: config.sanitize, iframeHosts: config.iframeHosts });
  const rendered = new Map<string, RenderedArticle>();
  for (const article of selected) if (needed.has(article.id)) rendered.set(article.id, renderArticle(article));

  // model → formats → gate
  const site = { ...config, author };
  const feeds: BuiltFeed[] = [];
  const files: OutputFile[] = [];
  for (const plan of plans) {
    const model = buildModel(plan, rendered, site);
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
  }
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

  // write
  const outDir = path.resolve(root, config.outDir);
  const allFiles = [...files, ...media.copies];
  const { written, unchanged } =
    options.write === false ? { written: [], unchanged: [] } : await writeOutputs(outDir, allFiles, options.fs);
  return {
    loaded,
    outDir,
    model: feeds[0]?.model as FeedModel,
    feeds,
    listings,
    files: allFiles,
    written,
    unchanged,
    diagnostics: sortDiagnostics(diagnostics),
  };
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => (a.file ?? "").localeCompare(b.file ?? "") || (a.line ?? 0) - (b.line ?? 0),
  );
}
