import { type Stats, closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { type Diagnostic, WirefeedError } from "../errors.ts";
import type { SourceArticle } from "../model/types.ts";
import { validateBody } from "./front-matter.ts";

/** Articles larger than this are refused rather than parsed. */
export const MAX_ARTICLE_BYTES = 5 * 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Files read at once. */
const READ_CONCURRENCY = 32;

/**
 * gray-matter with YAML's core schema: timestamps stay strings, so that `date: 2025-05-03` keeps
 * the fact that it has no time of day and is read in the site's time zone (gray-matter's default
 * would make it UTC midnight). Passing options also turns off gray-matter's process-wide cache of
 * file contents. Loaded on the first article read: a build that takes every article from the build
 * index never pays for the two packages.
 */
let frontMatterParser: Promise<FrontMatterParser> | undefined;

export interface FrontMatterParser {
  /** Front matter (parsed) and body. */
  parse: (text: string) => { data: unknown; content: string };
  /**
   * The body exactly as `parse` splits it off, without parsing the YAML: for a body read after the
   * head was parsed and checked (issue 7: parsing it again cost a cold build of 10,000 articles
   * about half a second).
   */
  split: (text: string) => { content: string };
}

export function loadFrontMatterParser(): Promise<FrontMatterParser> {
  frontMatterParser ??= Promise.all([import("gray-matter"), import("js-yaml")]).then(([{ default: matter }, { default: yaml }]) => {
    const options = { engines: { yaml: (text: string) => yaml.load(text, { schema: yaml.CORE_SCHEMA }) as object } };
    const skipYaml = { engines: { yaml: () => ({}) } };
    // gray-matter copies its whole input into a Buffer and looks it up as an object key (its
    // cache, even when options turn caching off), which on an 8 KB article costs more than the
    // YAML. Where the body starts depends only on the text up to the first "\n---" and the two
    // characters after it (gray-matter drops one "\r" and one "\n" there), so it is given that
    // much, and the rest of the body is appended unchanged.
    const run = (text: string, settings: typeof options | typeof skipYaml) => {
      const close = text.indexOf("\n---", 3);
      const end = close === -1 ? text.length : Math.min(text.length, close + 6);
      const file = matter(end === text.length ? text : text.slice(0, end), settings) as unknown as { data: unknown; content: string };
      return { data: file.data, content: end === text.length ? file.content : file.content + text.slice(end) };
    };
    return { parse: (text: string) => run(text, options), split: (text: string) => run(text, skipYaml) };
  });
  return frontMatterParser;
}

/** What `stat` says about an article file: enough to notice a change without reading it. */
export interface ArticleStat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export interface LoadedArticles {
  /** Every article file found, sorted by path (relative to the root, forward slashes). */
  files: string[];
  /** The same files as absolute paths. */
  paths: string[];
  /** Each file's stat, taken before it was read. */
  stats: Map<string, ArticleStat>;
  /** The files that were read (not skipped), in file order. */
  sources: SourceArticle[];
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** Files this says yes to are listed and stat'ed but not read (the build index knows them). */
  skip?: (file: string, stat: ArticleStat) => boolean;
  /** Read every file whole. Default false: a large file is read only up to its front matter. */
  bodies?: boolean;
  /**
   * The listing of an earlier call in this build (with `skip` always yes): its files, stats and
   * warnings are used instead of listing and stat'ing the folder again.
   */
  listed?: LoadedArticles;
}

/** Read every `*.md` under the articles folder, sorted by path. Problems become diagnostics. */
export async function loadArticles(root: string, articlesDir: string, options: LoadOptions = {}): Promise<LoadedArticles> {
  const dir = path.resolve(root, articlesDir);
  // Files under the root (the usual case) by slicing, which is ten times faster than path.relative
  // on 10,000 files; anything else (an articles folder outside the project) the long way.
  const prefix = path.resolve(root) + path.sep;
  const rel = (absolute: string) =>
    (absolute.startsWith(prefix) ? absolute.slice(prefix.length) : path.relative(root, absolute)).split(path.sep).join("/");
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new WirefeedError("ARTICLES_MISSING", `the articles folder does not exist: ${rel(dir) || dir}`, {
      field: "articlesDir",
      hint: "create it, or point --articles at the folder that holds your Markdown files",
    });
  }
  const listed = options.listed;
  const diagnostics: Diagnostic[] = listed ? [...listed.diagnostics] : [];
  let files: string[];
  if (listed) files = listed.paths;
  else {
    const realDir = await realpath(dir);
    files = await listMarkdown(dir, realDir, rel, diagnostics, new Set([realDir]));
  }
  // Read in parallel (bounded, so 100,000 files never hold 100,000 descriptors), keep file order.
  const results: (LoadResult | undefined)[] = new Array(files.length);
  const names = listed ? listed.files : files.map(rel);
  const stats = listed ? listed.stats : new Map<string, ArticleStat>();
  let next = 0;
  const readNext = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const absolute = files[index] as string;
      const file = names[index] as string;
      let info = stats.get(file);
      if (!listed || !info) {
        // Synchronous: 10,000 stats through the thread pool cost about ten times as long (issue 7).
        const { size, mtimeMs, ctimeMs, ino } = statSync(absolute);
        info = { size, mtimeMs, ctimeMs, ino };
        stats.set(file, info);
      }
      if (options.skip?.(file, info)) continue;
      results[index] = await loadArticle(absolute, file, info.size, options.bodies ? "whole" : "head");
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, readNext));
  const sources: SourceArticle[] = [];
  for (const result of results) {
    if (result === undefined) continue;
    if ("diagnostic" in result) diagnostics.push(result.diagnostic);
    else sources.push(result.source);
  }
  if (files.length === 0 && !listed) {
    diagnostics.push({
      severity: "warning",
      code: "no-articles",
      file: rel(dir),
      message: "no Markdown files found; the feeds will have no items",
    });
  }
  return { files: names, paths: files, stats, sources, diagnostics };
}

export interface ReadBody {
  /** The body as validation gives it (XML-invalid characters removed); undefined when the file no longer loads. */
  body: string | undefined;
  bodyHash: string | undefined;
  /** What loading and checking the body found (an empty body is an error, for example). */
  diagnostics: Diagnostic[];
}

/**
 * Read the body of an article whose file was not read whole: only its head was (no feed was known
 * to show it), or the build index restored it. `expected` is what the build knew of the file, and
 * the file must still match it (the body digest, or the stat the head was read with); otherwise it
 * changed while the build ran, which throws, because its front matter could be stale.
 */
export async function readArticleBody(root: string, file: string, expected: { bodyHash?: string | undefined; stat?: ArticleStat | undefined }): Promise<ReadBody> {
  const absolute = path.resolve(root, ...file.split("/"));
  const changed = () =>
    new WirefeedError("CONTENT_INVALID", `${file} changed while the build was running; nothing was written`, { file, hint: "run the build again" });
  let info: Stats;
  try {
    // Synchronous, as in loadArticles: the thread pool's round trips cost more than the call.
    info = statSync(absolute);
  } catch {
    throw changed();
  }
  if (expected.stat && !(info.size === expected.stat.size && info.mtimeMs === expected.stat.mtimeMs && info.ctimeMs === expected.stat.ctimeMs && info.ino === expected.stat.ino)) {
    throw changed();
  }
  const result = await loadArticle(absolute, file, info.size, "body");
  if ("diagnostic" in result) return { body: undefined, bodyHash: undefined, diagnostics: [result.diagnostic] };
  const checked = validateBody(file, result.source.body as string, result.source.bodyLine);
  if (expected.bodyHash !== undefined && checked.bodyHash !== expected.bodyHash) throw changed();
  return checked;
}

async function listMarkdown(
  dir: string,
  realRoot: string,
  rel: (absolute: string) => string,
  diagnostics: Diagnostic[],
  /** Real paths of the folders already listed: a link back to one of them is not followed again. */
  visited: Set<string>,
): Promise<string[]> {
  const found: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const absolute = path.join(dir, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await realpath(absolute).catch(() => undefined);
      if (!target || (target !== realRoot && !target.startsWith(realRoot + path.sep))) {
        diagnostics.push({
          severity: "warning",
          code: "symlink-outside",
          file: rel(absolute),
          message: target
            ? "symbolic link points outside the articles folder; skipped, not followed"
            : "broken symbolic link; skipped",
        });
        continue;
      }
      const targetInfo = await lstat(target);
      isDirectory = targetInfo.isDirectory();
      isFile = targetInfo.isFile();
    }
    if (isDirectory) {
      const real = await realpath(absolute);
      if (visited.has(real)) {
        diagnostics.push({
          severity: "warning",
          code: "symlink-loop",
          file: rel(absolute),
          message: "symbolic link to a folder that is already read; skipped, so no article is read twice",
        });
        continue;
      }
      visited.add(real);
      found.push(...(await listMarkdown(absolute, realRoot, rel, diagnostics, visited)));
    }
    else if (isFile && entry.name.endsWith(".md")) found.push(absolute);
  }
  return found;
}

type LoadResult = { source: SourceArticle } | { diagnostic: Diagnostic };

/**
 * Load one article. With `whole` false only the head of a large file is read, up to the end of its
 * front matter (issue 7: a default build reads the front matter of 10,000 articles and the bodies
 * of the few hundred its feeds show); its `body` is then undefined. A file whose front matter does
 * not end in the first HEAD_BYTES * 4^k bytes is read whole, as is every small file.
 */
async function loadArticle(absolute: string, file: string, size: number, read: "head" | "whole" | "body"): Promise<LoadResult> {
  const fail = (code: string, message: string, line?: number): LoadResult => ({
    diagnostic: { severity: "error", code, file, ...(line === undefined ? {} : { line }), message },
  });
  if (size > MAX_ARTICLE_BYTES) {
    return fail("file-too-large", `file is ${size} bytes; the limit is ${MAX_ARTICLE_BYTES} bytes (5 MB)`);
  }
  // Synchronous reads: the main thread has nothing else to do meanwhile, and on 10,000 small reads
  // the thread pool's round trips (open, read, close) cost about ten times the reading (issue 7).
  const head = read !== "head" || size <= HEAD_BYTES ? undefined : readHead(absolute, size);
  const bytes = head ?? readFileSync(absolute);
  if (bytes.length === 0) return fail("file-empty", "file is empty; expected front matter and a body");
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, offset).filter((byte) => byte === 0x0a).length + 1;
    return fail("not-utf8", `file is not UTF-8 (byte 0x${bytes[offset]?.toString(16).padStart(2, "0")} at offset ${offset}); save it as UTF-8`, line);
  }
  text = text.replace(/\r\n?/g, "\n");
  if (!/^---[ \t]*\n/.test(text)) {
    return fail("front-matter-missing", "no front matter: expected the file to start with a line '---'", 1);
  }
  const close = text.slice(4).search(/^---[ \t]*$/m);
  if (close === -1) return fail("front-matter-unclosed", "front matter is not closed: expected a line '---' after it", 1);
  const parser = await loadFrontMatterParser();
  const stem = path.basename(file, ".md");
  const bodyLineOf = (content: string) => text.slice(0, text.length - content.length).split("\n").length;
  if (read === "body") {
    // The head was parsed and checked when the file was first loaded, and the caller checks that
    // the file has not changed since; only the body is wanted.
    const { content } = parser.split(text);
    return { source: { file, stem, data: {}, keyLines: {}, body: content, bodyLine: bodyLineOf(content) } };
  }
  let parsed: { data: Record<string, unknown>; content: string };
  try {
    parsed = parser.parse(text) as typeof parsed;
  } catch (cause) {
    const mark = (cause as { mark?: { line?: number } }).mark;
    const reason = (cause as { reason?: string }).reason ?? (cause as Error).message;
    return fail("yaml-invalid", `front matter is not valid YAML: ${reason}`, mark?.line === undefined ? undefined : mark.line + 2);
  }
  if (typeof parsed.data !== "object" || parsed.data === null || Array.isArray(parsed.data)) {
    return fail("front-matter-invalid", "front matter must be a mapping of keys to values", 2);
  }
  const keyLines: Record<string, number> = {};
  const lines = text.split("\n");
  for (let index = 1; index < lines.length && !/^---[ \t]*$/.test(lines[index] ?? ""); index++) {
    const key = /^([^\s#:][^:]*?)\s*:(?:\s|$)/.exec(lines[index] ?? "")?.[1];
    if (key !== undefined && !(key in keyLines)) keyLines[key.replace(/^["']|["']$/g, "")] = index + 1;
  }
  return { source: { file, stem, data: parsed.data, keyLines, body: head ? undefined : parsed.content, bodyLine: bodyLineOf(parsed.content) } };
}

/** Bytes read first from a file larger than this, in the hope that they hold its front matter. */
const HEAD_BYTES = 2048;

/**
 * The bytes of a file up to the end of its front matter's closing `---` line, reading more while
 * the head holds no such line; undefined when the file has none (it is then read whole, and the
 * usual errors name the problem).
 */
function readHead(absolute: string, size: number): Buffer | undefined {
  const fd = openSync(absolute, "r");
  try {
    for (let length = HEAD_BYTES; ; length *= 4) {
      const buffer = Buffer.allocUnsafe(Math.min(length, size));
      const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
      const end = frontMatterEnd(buffer.subarray(0, bytesRead));
      if (end !== undefined) return buffer.subarray(0, end);
      if (bytesRead >= size || bytesRead < buffer.length) return undefined;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Offset just past the closing `---` line (`---`, then spaces or tabs, then LF or CRLF) of front
 * matter that opens on the first line (after a BOM), or undefined when `bytes` hold no such line.
 */
function frontMatterEnd(bytes: Uint8Array): number | undefined {
  const isFence = (at: number): number | undefined => {
    if (bytes[at] !== 0x2d || bytes[at + 1] !== 0x2d || bytes[at + 2] !== 0x2d) return undefined;
    let index = at + 3;
    while (bytes[index] === 0x20 || bytes[index] === 0x09) index++;
    if (bytes[index] === 0x0a) return index + 1;
    if (bytes[index] === 0x0d && bytes[index + 1] === 0x0a) return index + 2;
    return undefined;
  };
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const opened = isFence(start);
  if (opened === undefined) return undefined;
  for (let index = opened; index < bytes.length; index++) {
    if (bytes[index - 1] === 0x0a) {
      const end = isFence(index);
      if (end !== undefined) return end;
    }
  }
  return undefined;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (the decoder said there is one). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] as number;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return index;
    try {
      utf8.decode(bytes.subarray(index, index + length));
    } catch {
      return index;
    }
    index += length;
  }
  return index;
}
