import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { WirefeedError } from "../errors.ts";
import { checkCrossFormat } from "./check-cross-format.ts";
import { checkFeedText } from "./check-feed-text.ts";
import type { FeedFormat, FeedSummary, Finding } from "./types.ts";

/** File extensions looked at when a folder is given. */
const FEED_EXTENSIONS = new Set([".xml", ".rss", ".atom", ".json", ".jsonfeed"]);

export interface FeedFile {
  /** Absolute path. */
  path: string;
  /** Path shown in findings. */
  display: string;
  /** The URL the file is published at, when known. */
  url?: string | undefined;
  /** True when the file was named on purpose: a non-feed is then an error, not skipped. */
  explicit: boolean;
}

export interface CheckedFeedFile {
  file: FeedFile;
  format: FeedFormat | undefined;
  summary: FeedSummary | undefined;
}

export interface CheckFeedFilesResult {
  findings: Finding[];
  /** The feeds checked, in order. */
  checked: CheckedFeedFile[];
  /** Files in the given folders that are no feeds. */
  skipped: FeedFile[];
}

/**
 * Expand the paths given on the command line: files as they are, folders to the feed-like files
 * under them (sorted). A path that does not exist is a usage error.
 */
export async function listFeedFiles(
  paths: readonly string[],
  cwd: string,
  urlOf: (relativeToArgument: string) => string | undefined = () => undefined,
): Promise<FeedFile[]> {
  const files: FeedFile[] = [];
  const display = (absolute: string) => {
    const relative = path.relative(cwd, absolute);
    return (relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative).split(path.sep).join("/");
  };
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) {
      throw new WirefeedError("USAGE", `no such file or folder: ${given}`, { hint: "give the path of a feed file, or a folder of feeds such as dist/" });
    }
    if (info.isFile()) {
      files.push({ path: absolute, display: display(absolute), url: urlOf(path.basename(absolute)), explicit: true });
      continue;
    }
    for (const found of await walk(absolute)) {
      const relative = path.relative(absolute, found).split(path.sep).join("/");
      files.push({ path: found, display: display(found), url: urlOf(relative), explicit: false });
    }
  }
  return files;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile() && FEED_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) out.push(full);
  }
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The text of UTF-8 bytes, or why there is none: not UTF-8, or longer than V8's longest string. */
function decodeUtf8(bytes: Uint8Array): string | { problem: "invalid" | "too-long" } {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    return { problem: (error as NodeJS.ErrnoException).code === "ERR_STRING_TOO_LONG" ? "too-long" : "invalid" };
  }
}

/**
 * Check feed files of any origin. When the files hold exactly one RSS, one Atom and one JSON
 * Feed (or a folder does), the cross-format rules run on them too.
 */
export async function checkFeedFiles(files: readonly FeedFile[], options: { now: Date }): Promise<CheckFeedFilesResult> {
  const findings: Finding[] = [];
  const checked: CheckedFeedFile[] = [];
  const skipped: FeedFile[] = [];
  for (const file of files) {
    // The bytes are let go once decoded: a feed of 50,000 full items is 480 MB of them.
    const text = decodeUtf8(await readFile(file.path));
    if (typeof text !== "string") {
      findings.push(
        text.problem === "too-long"
          ? { severity: "error", code: "file-too-large", file: file.display, message: "longer than the longest text Node holds (about 512 MiB): wirefeed check cannot read it whole, so it is not checked" }
          : { severity: "error", code: "encoding-invalid", file: file.display, message: "not UTF-8: readers will show garbled text or reject the feed" },
      );
      checked.push({ file, format: undefined, summary: undefined });
      continue;
    }
    const result = checkFeedText(text, { file: file.display, url: file.url, now: options.now });
    if (result.format === undefined && !file.explicit) {
      skipped.push(file);
      continue;
    }
    findings.push(...result.findings);
    checked.push({ file, format: result.format, summary: result.summary });
  }

  const groups = new Map<string, CheckedFeedFile[]>();
  for (const entry of checked) {
    const dir = path.dirname(entry.file.path);
    groups.set(dir, [...(groups.get(dir) ?? []), entry]);
  }
  const trios = [...groups.values()];
  if (!trios.some((group) => isTrio(group)) && isTrio(checked)) trios.push(checked);
  for (const group of trios) {
    if (!isTrio(group)) continue;
    const of = (format: FeedFormat) => group.find((entry) => entry.format === format)?.summary;
    const rss = of("rss");
    const atom = of("atom");
    const json = of("json");
    // A document that did not parse has no items to compare; its own error says why.
    if (rss && atom && json) findings.push(...checkCrossFormat({ rss, atom, json }));
  }
  return { findings, checked, skipped };
}

function isTrio(group: readonly CheckedFeedFile[]): boolean {
  const count = (format: FeedFormat) => group.filter((entry) => entry.format === format).length;
  return count("rss") === 1 && count("atom") === 1 && count("json") === 1;
}
