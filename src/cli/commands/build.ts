import path from "node:path";
import { WirefeedError } from "../../errors.ts";
import type { OutputFile } from "../../model/types.ts";
import { type BuildResult, build } from "../../pipeline.ts";
import { displayPath, loadBuildConfig, toBuildOptions } from "../build-options.ts";
import { findCommand } from "../command-specs.ts";
import { type FeedItems, type ItemChanges, compareFeedItems, digestFeedText, listFirstBuild, readFeedItems } from "../compare-feed-items.ts";
import { formatWarning, plural } from "../format-finding.ts";
import type { CliIo } from "../io.ts";
import { parseFlags } from "../parse-flags.ts";
import { startProgress } from "../progress.ts";
import { renderCommandHelp } from "../render-help.ts";
import { resolveNow } from "../resolve-now.ts";
import { type Style, createStyle, isColourWanted } from "../style.ts";

export interface FileSummary {
  path: string;
  /** Where it is published: what `wirefeed ping --changed` takes. */
  url: string;
  state: "written" | "unchanged";
  /** Items in the feed; undefined for a file that is no feed. */
  items: number | undefined;
  bytes: number;
  mediaType: string;
}

export function summarizeFiles(result: BuildResult): FileSummary[] {
  // Item counts come from each feed's model; re-parsing every written document cost a full
  // second parse of the output (issue 7).
  const items = new Map<string, number>();
  for (const feed of result.feeds) for (const file of Object.values(feed.paths)) items.set(file, feed.items);
  const written = new Set(result.written);
  return result.outputs.map((file) => ({
    path: file.path,
    url: new URL(file.path, result.loaded.config.siteUrl).href,
    state: written.has(file.path) ? "written" : "unchanged",
    items: items.get(file.path),
    bytes: file.bytes,
    mediaType: file.mediaType,
  }));
}

/** The main JSON Feed of a result: compared with the previous one to list changed articles. */
export function findJsonFeed(result: BuildResult): OutputFile | undefined {
  return result.files.find((file) => file.path === result.loaded.config.files.json);
}

/**
 * The items of the main JSON Feed this build left: the previous ones when its bytes did not
 * change, else read back a line at a time from the file it wrote (a feed of every item is too
 * large to hold as text twice, issue 7). A build that wrote no file (`write: false`, which this
 * command never asks for) leaves its contents to parse.
 */
async function readBuiltFeedItems(result: BuildResult, previous: FeedItems | undefined): Promise<FeedItems | undefined> {
  const file = result.loaded.config.files.json;
  if (result.unchanged.includes(file)) return previous;
  if (result.written.includes(file)) return readFeedItems(path.join(result.outDir, file));
  return digestFeedText(findJsonFeed(result)?.contents);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * The lines of a human build summary: the main feeds and every file written, then the articles
 * added, changed or removed, then one closing line. Unchanged tag, section and archive files are
 * counted on one line unless `verbose`.
 */
export function formatBuildSummary(
  result: BuildResult,
  changes: ItemChanges,
  options: { style: Style; verbose: boolean; outDir: string; durationMs: number },
): string {
  const { style } = options;
  const files = summarizeFiles(result);
  const main = new Set(Object.values(result.loaded.config.files));
  const listed = files.filter((file) => options.verbose || file.state === "written" || main.has(file.path));
  const nameWidth = Math.max(...listed.map((file) => file.path.length), 8) + 2;
  const lines: string[] = [];
  for (const file of listed) {
    const state = file.state === "written" ? style.green("wrote    ") : style.dim("unchanged");
    const count = file.items === undefined ? "" : plural(file.items, "item");
    lines.push(`${state} ${file.path.padEnd(nameWidth)}${count.padEnd(10)}${formatBytes(file.bytes).padStart(8)}`);
  }
  const hidden = files.length - listed.length;
  if (hidden > 0) lines.push(`${style.dim("unchanged")} ${plural(hidden, "other file")} ${style.dim("(--verbose lists them)")}`);
  const show = (label: string, colour: (text: string) => string, list: ItemChanges["added"]) => {
    for (const item of list) {
      const reasons = item.reasons?.length ? ` (${item.reasons.join(", ")})` : "";
      lines.push(`${colour(label.padEnd(9))} ${item.title}${reasons}${options.verbose ? style.dim(`  ${item.id}`) : ""}`);
    }
  };
  show("added", style.green, changes.added);
  show("changed", style.yellow, changes.changed);
  show("removed", style.red, changes.removed);

  const written = files.filter((file) => file.state === "written").length;
  const seconds = (options.durationMs / 1000).toFixed(options.durationMs < 10_000 ? 2 : 1);
  const articles = !changes.hadPrevious
    ? `${plural(changes.added.length, "article")} (first build: nothing to compare with)`
    : changes.added.length + changes.changed.length + changes.removed.length === 0
      ? "no article changed"
      : `${plural(changes.added.length, "article")} added, ${changes.changed.length} changed, ${changes.removed.length} removed`;
  lines.push(
    `${style.bold(`Built ${options.outDir}/`)} in ${seconds} s: ${plural(written, "file")} written, ${files.length - written} unchanged; ${articles}.`,
  );
  return `${lines.join("\n")}\n`;
}

export async function runBuild(args: string[], io: CliIo): Promise<number> {
  const command = findCommand("build");
  if (!command) throw new Error("the build command is not registered");
  const { values } = parseFlags(command, args);
  if (values.help) {
    io.stdout(renderCommandHelp(command));
    return 0;
  }
  const json = values.json === true;
  const quiet = values.quiet === true;
  const verbose = values.verbose === true && !quiet;
  const style = createStyle(isColourWanted(io.env, io.isTTY));
  try {
    const now = resolveNow(values.now as string | undefined, io.env);
    const options = toBuildOptions(values, io.cwd, now);
    const loaded = await loadBuildConfig(options);
    const outDir = path.resolve(loaded.root, loaded.config.outDir);
    // Read before the build writes: this is what readers had until now.
    const previous = await readFeedItems(path.join(outDir, loaded.config.files.json));
    if (verbose) {
      io.stderr(
        `${style.dim("config")}    ${displayPath(io.cwd, path.join(loaded.root, loaded.file))}\n` +
          `${style.dim("articles")}  ${displayPath(io.cwd, path.resolve(loaded.root, loaded.config.articlesDir))}/\n` +
          `${style.dim("now")}       ${(now ?? new Date()).toISOString()}${now ? "" : " (the clock)"}\n`,
      );
    }
    const started = Date.now();
    const progress = json || quiet ? undefined : startProgress(io, "building");
    let result: BuildResult;
    try {
      // --verbose lists the main feed's items, so it wants the model even when nothing changed.
      result = await build({ ...options, ...(verbose ? { generateMain: true } : {}), ...(progress ? { onProgress: progress.update } : {}) });
    } finally {
      progress?.stop();
    }
    const durationMs = Date.now() - started;
    const changes =
      previous === undefined && result.model ? listFirstBuild(result.model.items) : compareFeedItems(previous, await readBuiltFeedItems(result, previous));
    // --exit-code: 0 when some file changed, 3 when the build left every file as it was.
    const exitCode = values["exit-code"] === true && result.written.length === 0 ? 3 : 0;
    // Items that left the main feed because their `expires` instant came, in this run.
    const removedIds = new Set(changes.removed.map((item) => item.id));
    const expired = result.expired.filter((item) => removedIds.has(item.id)).map((item) => ({ id: item.id, title: item.title, expires: item.expires.toISOString() }));
    const shownOut = displayPath(io.cwd, result.outDir);
    if (json) {
      io.stdout(
        `${JSON.stringify({
          ok: true,
          outDir: shownOut,
          durationMs,
          files: summarizeFiles(result),
          changed: result.written.length > 0,
          articles: changes,
          // Scheduled CI: what became due (new in the main feed) and what expired in this run.
          due: changes.added,
          expired,
          diagnostics: result.diagnostics,
        })}\n`,
      );
      return exitCode;
    }
    if (!quiet) {
      for (const diagnostic of result.diagnostics) io.stderr(`${formatWarning(diagnostic, style)}\n`);
      io.stderr(formatBuildSummary(result, changes, { style, verbose, outDir: shownOut, durationMs }));
      if (verbose && result.model) {
        io.stderr(`${style.dim(`${plural(result.model.items.length, "item")} in the feed (limit ${result.loaded.config.limit}):`)}\n`);
        for (const item of result.model.items) io.stderr(`  ${item.published.toISOString()}  ${item.id}  ${item.file}\n`);
      }
      for (const item of expired) io.stderr(`expired ${JSON.stringify(item.title)} at ${item.expires}\n`);
      if (exitCode === 3) io.stderr("Nothing changed (exit code 3).\n");
    }
    return exitCode;
  } catch (error) {
    if (json && error instanceof WirefeedError) {
      io.stdout(
        `${JSON.stringify({
          ok: false,
          error: {
            code: error.code,
            message: error.message,
            ...(error.file ? { file: error.file } : {}),
            ...(error.hint ? { hint: error.hint } : {}),
            diagnostics: error.diagnostics,
          },
        })}\n`,
      );
    }
    throw error;
  }
}
