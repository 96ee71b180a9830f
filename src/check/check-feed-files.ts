import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { WirefeedError } from "../errors.ts";
import { checkCrossFormat } from "./check-cross-format.ts";
import { type CheckedFeedText, createFeedCheck, reportXmlError, stripBom } from "./check-feed-text.ts";
import { type RawAmpersandScanStart, createRawAmpersandScan } from "./find-raw-ampersand.ts";
import type { XmlElement } from "./parse-xml.ts";
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

/** Bytes read at a time from a feed file: 64 KiB, as fs streams do (1 MiB pieces peaked 60 MB higher at 10,000 items). */
const READ_SIZE = 64 << 10;

export interface CheckFeedFilesOptions {
  now: Date;
  /** Bytes read at a time (64 KiB); for tests. */
  readSize?: number | undefined;
  /** Called with the size of each piece read, and with each item as `createFeedCheck`'s `onItem`; for tests. */
  onRead?: ((bytes: number) => void) | undefined;
  onItem?: ((item: XmlElement | Record<string, unknown>) => void) | undefined;
}

/**
 * A file's text in pieces, without a byte order mark (the decoder drops one, and `checkFeedText`
 * another). Throws `ERR_ENCODING_INVALID_ENCODED_DATA` on bytes that are not UTF-8.
 */
async function* readBody(file: string, options: CheckFeedFilesOptions): AsyncGenerator<string> {
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  let started = false;
  const strip = (text: string) => {
    const piece = started ? text : stripBom(text);
    started ||= piece !== "";
    return piece;
  };
  for await (const bytes of createReadStream(file, { highWaterMark: options.readSize ?? READ_SIZE })) {
    options.onRead?.((bytes as Buffer).length);
    yield strip(utf8.decode(bytes as Buffer, { stream: true }));
  }
  yield strip(utf8.decode());
}

/**
 * Every rule for one feed file, read a piece at a time (`createFeedCheck`), or why there are none:
 * it is not UTF-8, or too long for a whole read (a JSON Feed in another layout still needs one).
 */
async function checkFeedFile(file: FeedFile, options: CheckFeedFilesOptions): Promise<CheckedFeedText | { problem: "invalid" | "too-long" }> {
  const feedOptions = { file: file.display, url: file.url, now: options.now, onItem: options.onItem };
  try {
    const check = async (whole: boolean) => {
      const feed = createFeedCheck({ ...feedOptions, whole });
      for await (const text of readBody(file.path, options)) feed.write(text);
      return feed.end();
    };
    let ended = await check(false);
    // A JSON Feed not laid out as wirefeed lays it out is read again, whole.
    if (ended.wholeNeeded) ended = await check(true);
    if (ended.xmlError === undefined) return ended;
    // Only a document that is not well-formed is read again, to point at a raw "&" in it.
    for (let start: RawAmpersandScanStart | undefined; ; ) {
      const scan = createRawAmpersandScan(ended.xmlError.line, start);
      for await (const text of readBody(file.path, { ...options, onRead: undefined })) {
        scan.write(text);
        if (scan.done) break;
      }
      const scanned = scan.end();
      if ("found" in scanned) return reportXmlError(ended.format, ended.xmlError, scanned.found, file.display);
      start = scanned.restart;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_ENCODING_INVALID_ENCODED_DATA") return { problem: "invalid" };
    // Past V8's longest string (about 512 MiB), a text gathered whole.
    if (error instanceof RangeError && /string length|too long/i.test(error.message)) return { problem: "too-long" };
    throw error;
  }
}

/**
 * Check feed files of any origin. When the files hold exactly one RSS, one Atom and one JSON
 * Feed (or a folder does), the cross-format rules run on them too.
 */
export async function checkFeedFiles(files: readonly FeedFile[], options: CheckFeedFilesOptions): Promise<CheckFeedFilesResult> {
  const findings: Finding[] = [];
  const checked: CheckedFeedFile[] = [];
  const skipped: FeedFile[] = [];
  for (const file of files) {
    const result = await checkFeedFile(file, options);
    if ("problem" in result) {
      findings.push(
        result.problem === "too-long"
          ? { severity: "error", code: "file-too-large", file: file.display, message: "longer than the longest text Node holds (about 512 MiB): wirefeed check cannot read it whole, so it is not checked" }
          : { severity: "error", code: "encoding-invalid", file: file.display, message: "not UTF-8: readers will show garbled text or reject the feed" },
      );
      checked.push({ file, format: undefined, summary: undefined });
      continue;
    }
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
