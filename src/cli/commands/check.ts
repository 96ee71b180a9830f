import { stat } from "node:fs/promises";
import path from "node:path";
import { checkFeedFiles, listFeedFiles } from "../../check/check-feed-files.ts";
import type { Finding } from "../../check/types.ts";
import type { LoadedConfig } from "../../config/load.ts";
import { WirefeedError } from "../../errors.ts";
import { type BuildResult, build } from "../../pipeline.ts";
import { displayPath, loadBuildConfig, toBuildOptions } from "../build-options.ts";
import { findCommand } from "../command-specs.ts";
import { countFindings, formatFinding, plural, sortFindings, toFinding } from "../format-finding.ts";
import type { CliIo } from "../io.ts";
import { parseFlags } from "../parse-flags.ts";
import { renderCommandHelp } from "../render-help.ts";
import { resolveNow } from "../resolve-now.ts";
import { createStyle, isColourWanted } from "../style.ts";

/** Output files that are feeds, by the media type the pipeline gives them. */
const FEED_TYPES = new Set(["application/rss+xml", "application/atom+xml", "application/feed+json"]);

interface CheckOutcome {
  findings: Finding[];
  /** What was looked at, for the closing line: "1 article and 3 feeds". */
  scope: string;
}

/** No paths: the articles through the pipeline (writing nothing), then the feeds in dist/. */
async function checkProject(values: Record<string, string | boolean | undefined>, io: CliIo, now: Date | undefined): Promise<CheckOutcome> {
  const options = toBuildOptions(values, io.cwd, now);
  const loaded: LoadedConfig = await loadBuildConfig(options);
  const { config, root } = loaded;
  const fromRoot = (file: string | undefined) => (file === undefined ? displayPath(io.cwd, root) : displayPath(io.cwd, path.resolve(root, file)));
  const findings: Finding[] = [];
  let result: BuildResult | undefined;
  try {
    // Compared with dist/ as a build compares before writing, never held as text (issue 7: a dry
    // run kept every document, 2.2 GB for one feed of 10,000 items).
    result = await build({ ...options, write: "compare" });
    findings.push(...result.diagnostics.map((diagnostic) => toFinding(diagnostic, fromRoot(diagnostic.file))));
  } catch (error) {
    // An article with an error is a finding like any other; a bad config or usage is not.
    if (!(error instanceof WirefeedError) || (error.code !== "CONTENT_INVALID" && error.code !== "GATE_FAILED")) throw error;
    if (error.diagnostics.length > 0) findings.push(...error.diagnostics.map((diagnostic) => toFinding(diagnostic, fromRoot(diagnostic.file))));
    else findings.push({ severity: "error", code: error.code.toLowerCase().replace("_", "-"), file: fromRoot(error.file), message: error.message });
  }

  // Every feed the build makes (main, tag, section, archive feeds), or the main three when the
  // articles do not build: each must exist and hold what a build would write now.
  const outDir = path.resolve(root, config.outDir);
  const differing = new Set(result?.written);
  const expected = result
    ? result.outputs.filter((file) => FEED_TYPES.has(file.mediaType.split(";")[0] as string)).map((file) => file.path)
    : (["rss", "atom", "json"] as const).map((key) => config.files[key]);
  for (const file of expected) {
    const absolute = path.join(outDir, ...file.split("/"));
    const display = displayPath(io.cwd, absolute);
    const onDisk = await stat(absolute).then((info) => info.isFile()).catch(() => false);
    if (!onDisk) {
      findings.push({ severity: "warning", code: "not-built", file: display, message: "not built yet; run wirefeed build" });
    } else if (differing.has(file)) {
      findings.push({ severity: "warning", code: "dist-stale", file: display, message: "differs from what wirefeed build would write now; run wirefeed build" });
    }
  }
  const built = await stat(outDir).then((info) => info.isDirectory()).catch(() => false);
  const files = built ? await listFeedFiles([outDir], io.cwd, (relative) => new URL(relative, config.siteUrl).href) : [];
  const checked = await checkFeedFiles(files, { now: now ?? new Date() });
  findings.push(...checked.findings);
  const articles = result ? `${plural(result.feeds[0]?.items ?? 0, "article")} in the feed` : "the articles";
  return { findings, scope: `${articles} and ${plural(checked.checked.length, "feed")}` };
}

/** Paths: any feed files, wherever they came from. */
async function checkPaths(paths: string[], values: Record<string, string | boolean | undefined>, io: CliIo, now: Date | undefined): Promise<CheckOutcome> {
  const siteUrl = typeof values["site-url"] === "string" ? (values["site-url"] as string) : undefined;
  if (siteUrl !== undefined && !/^https?:\/\/[^/]/i.test(siteUrl)) {
    throw new WirefeedError("USAGE", `expected an absolute http(s) URL, got ${JSON.stringify(siteUrl)}`, { field: "--site-url" });
  }
  const base = siteUrl === undefined ? undefined : siteUrl.endsWith("/") ? siteUrl : `${siteUrl}/`;
  const files = await listFeedFiles(paths, io.cwd, (relative) => (base === undefined ? undefined : new URL(relative, base).href));
  const checked = await checkFeedFiles(files, { now: now ?? new Date() });
  if (checked.checked.length === 0) {
    throw new WirefeedError("USAGE", `no RSS, Atom or JSON Feed files in ${paths.join(", ")}`, { hint: "give feed files, or a folder that holds them" });
  }
  return { findings: checked.findings, scope: plural(checked.checked.length, "feed") };
}

export async function runCheck(args: string[], io: CliIo): Promise<number> {
  const command = findCommand("check");
  if (!command) throw new Error("the check command is not registered");
  const { values, positionals } = parseFlags(command, args);
  if (values.help) {
    io.stdout(renderCommandHelp(command));
    return 0;
  }
  const now = resolveNow(values.now as string | undefined, io.env);
  const outcome = positionals.length === 0 ? await checkProject(values, io, now) : await checkPaths(positionals, values, io, now);
  const findings = sortFindings(outcome.findings);
  const strict = values.strict === true;
  const counts = countFindings(findings);
  const failed = counts.errors > 0 || (strict && counts.warnings > 0);
  if (values.json === true) {
    io.stdout(`${JSON.stringify({ ok: !failed, strict, errors: counts.errors, warnings: counts.warnings, findings })}\n`);
    return failed ? 1 : 0;
  }
  const style = createStyle(isColourWanted(io.env, io.stdoutIsTTY === true));
  for (const finding of findings) io.stdout(`${formatFinding(finding, style)}\n`);
  const closing =
    findings.length === 0
      ? style.green(`No problems in ${outcome.scope}.`)
      : `${failed ? style.red(counts.text) : style.yellow(counts.text)} in ${outcome.scope}${strict && counts.warnings > 0 ? " (--strict: warnings count as errors)" : ""}.`;
  io.stdout(`${closing}\n`);
  return failed ? 1 : 0;
}
