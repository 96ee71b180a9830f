import path from "node:path";
import { type ConfigOverrides, type LoadedConfig, loadConfig } from "./config/load.ts";
import { checkCollisions } from "./content/check-collisions.ts";
import { validateArticle } from "./content/front-matter.ts";
import { loadArticles } from "./content/load.ts";
import { type Diagnostic, WirefeedError } from "./errors.ts";
import { FORMATS } from "./formats/registry.ts";
import { gateOutput } from "./gate/gate-output.ts";
import { buildModel, selectArticles } from "./model/build-model.ts";
import type { Article, FeedModel, OutputFile, RenderedArticle } from "./model/types.ts";
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
  /** Write `dist/`; false runs every check and writes nothing. Default true. */
  write?: boolean;
  /** File operations, for tests that simulate a full disk. */
  fs?: WriteFs;
}

export interface BuildResult {
  loaded: LoadedConfig;
  /** Absolute output folder. */
  outDir: string;
  model: FeedModel;
  files: OutputFile[];
  written: string[];
  unchanged: string[];
  /** Warnings (errors throw). */
  diagnostics: Diagnostic[];
}

/** load → validate → render → select → model → formats → gate → write. */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const loaded = await loadConfig(path.resolve(options.cwd ?? "."), {
    ...(options.configPath ? { configPath: options.configPath } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const { config, root } = loaded;

  const { sources, diagnostics } = await loadArticles(root, config.articlesDir);
  const settings = {
    siteUrl: config.siteUrl,
    timeZone: config.timeZone,
    idAuthority: config.idAuthority,
    permalink: config.permalink,
    author: typeof config.author === "string" ? { name: config.author } : config.author,
  };
  const articles: Article[] = [];
  for (const source of sources) {
    const result = validateArticle(source, settings);
    diagnostics.push(...result.diagnostics);
    if (result.article) articles.push(result.article);
  }
  diagnostics.push(...checkCollisions(articles));
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const count = errors.length === 1 ? "1 error" : `${errors.length} errors`;
    throw new WirefeedError("CONTENT_INVALID", `${count} in the articles; nothing was written and the output folder is unchanged`, {
      diagnostics: sortDiagnostics(diagnostics),
    });
  }

  const now = options.now ?? new Date();
  const selected = selectArticles(articles, {
    now,
    drafts: options.drafts ?? false,
    future: options.future ?? false,
    limit: config.limit,
  });
  const renderArticle = createArticleRenderer({ sanitize: config.sanitize, iframeHosts: config.iframeHosts });
  const rendered: RenderedArticle[] = selected.map(renderArticle);
  const model = buildModel(rendered, { ...config, author: settings.author });

  const files: OutputFile[] = FORMATS.map((format) => {
    const contents = format.generate(model);
    const filePath = config.files[format.key];
    gateOutput({
      path: filePath,
      kind: format.kind,
      contents,
      items: model.items,
      regenerate: (items) => format.generate({ ...model, items }),
    });
    return { path: filePath, contents, mediaType: format.mediaType };
  });

  const outDir = path.resolve(root, config.outDir);
  const { written, unchanged } =
    options.write === false ? { written: [], unchanged: [] } : await writeOutputs(outDir, files, options.fs);
  return { loaded, outDir, model, files, written, unchanged, diagnostics: sortDiagnostics(diagnostics) };
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => (a.file ?? "").localeCompare(b.file ?? "") || (a.line ?? 0) - (b.line ?? 0),
  );
}
