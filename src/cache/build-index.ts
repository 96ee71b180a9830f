import { createHash, randomBytes } from "node:crypto";
import { type Stats, statSync } from "node:fs";
import { readFile, rename, rm, mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { deserialize, serialize } from "node:v8";
import type { Diagnostic } from "../errors.ts";
import type { Article } from "../model/types.ts";
import { fileURLToPath } from "node:url";
import { readPackageVersion } from "./package-version.ts";
import { CACHE_FORMAT_VERSION, renderCacheVersions } from "./render-cache.ts";

/**
 * The build index (issue 7): what the last build read and wrote, so that the next one reads only
 * the articles that changed and regenerates only the documents whose inputs changed.
 *
 * - An article file whose size, mtime, ctime and inode are as recorded, and whose mtime was at least
 *   RACY_MS older than the start of the build that recorded it, is taken from the index: validated
 *   front matter and the digest of its body, without reading it. A file changed within RACY_MS of a
 *   build could change again within the same timestamp tick, so it is always read again.
 * - A feed document whose fingerprint (a digest of everything its bytes depend on) is as recorded,
 *   and whose output file still has the recorded size and mtime, is not regenerated. Its recorded
 *   mtime must be older than the index file's own, so an overwrite in the same tick cannot pass.
 *
 * The file is `index.v8` in the cache folder: a sha256 of the payload, then the payload in V8's
 * serialization format (Dates survive it). A missing, damaged or foreign file is an empty index,
 * never an error; a failed save is ignored (the next build is a full one).
 */

/**
 * Bump when what the index holds, or what a fingerprint covers, changes (2: a remote image's type,
 * from its URL; 3: media types checked as wirefeed check checks them).
 */
export const BUILD_INDEX_VERSION = 3;

/** Files changed this recently before a build are read again by the next one (FAT's 2 s ticks). */
export const RACY_MS = 2000;

const FILE_NAME = "index.v8";

/** What `stat` says about a file: enough to notice that it changed without reading it. */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** One article as the last build read it. */
export interface IndexedSource {
  stat: FileStat;
  /** The validated article without its body (`body` undefined, `bodyHash` set). */
  article: Article;
  /** Warnings validation gave when the file was read, repeated by every build that reuses the article. */
  warnings: Diagnostic[];
  /**
   * Warnings about a body that was read later because a feed showed the article (a large file's
   * body is not read otherwise): repeated only by builds in which a feed shows it.
   */
  bodyWarnings?: Diagnostic[];
  /** `fingerprintArticle` of the article before its media files were read; made when first needed. */
  fingerprint: string | undefined;
}

/** One output file as the last build left it. */
export interface IndexedDocument {
  fingerprint: string;
  size: number;
  mtimeMs: number;
  /** Items in the feed document. */
  items: number;
  mediaType: string;
}

export interface BuildIndexData {
  version: number;
  /** Digest of the config, the flags and the versions: a different key is an empty index. */
  key: string;
  /** Wall-clock start of the build that wrote it (ms). */
  startedAt: number;
  sources: Map<string, IndexedSource>;
  documents: Map<string, IndexedDocument>;
}

export interface BuildIndex {
  readonly key: string;
  /** The article recorded for this file, if its stat says it did not change since. */
  findSource(file: string, current: FileStat): IndexedSource | undefined;
  /** The recorded document at this output path, whatever its fingerprint. */
  findDocument(outputPath: string): IndexedDocument | undefined;
  /** True when the output file at `absolute` is still exactly as the index recorded it. */
  isDocumentIntact(outputPath: string, absolute: string, fingerprint: string): boolean;
  /**
   * Write `data` as the new index (temp file + rename), unless it records exactly what this index
   * does: a no-op build rewrites no file. Never throws: without an index the next build is a full one.
   */
  save(data: BuildIndexData): Promise<void>;
}

/** The packages whose code writes the documents (besides wirefeed): a new version is an empty index. */
const GENERATOR_PACKAGES = ["feed", "xml-js", "ajv", "saxes"] as const;
let generators: string[] | undefined;
function generatorVersions(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  generators ??= GENERATOR_PACKAGES.map((name) => `${name}@${readPackageVersion(name, here) ?? "unknown"}`);
  return generators;
}

/** The key of an index: sha256 over the index and cache formats, the versions and `parts`. */
export function buildIndexKey(parts: readonly string[]): string {
  const hash = createHash("sha256").update(`${BUILD_INDEX_VERSION} ${CACHE_FORMAT_VERSION}\n`);
  hash.update(JSON.stringify(Object.entries(renderCacheVersions()).sort(([a], [b]) => (a < b ? -1 : 1))));
  hash.update(JSON.stringify(generatorVersions()));
  for (const part of parts) hash.update(`\n${part.length}\n${part}`);
  return hash.digest("hex");
}

export function sameStat(a: FileStat, b: FileStat): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** Read the index in `dir` (absolute). Anything wrong with it gives an index that knows nothing. */
export async function openBuildIndex(dir: string, key: string): Promise<BuildIndex> {
  const file = path.join(dir, FILE_NAME);
  const [data, savedAt] = await Promise.all([readIndexData(file, key), stat(file).then((info) => info.mtimeMs).catch(() => 0)]);
  return {
    async save(next) {
      // Saved again, although it records the same, when its later start settles files that were
      // too recent to trust: otherwise they would be read again by every build from now on.
      const settlesMore = data !== undefined && [...next.sources.values()].some(
        (entry) => entry.stat.mtimeMs >= data.startedAt - RACY_MS && entry.stat.mtimeMs < next.startedAt - RACY_MS,
      );
      if (data && !settlesMore && sameRecords(data, next)) return;
      const sorted = <T>(map: Map<string, T>) => new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      await saveBuildIndex(dir, { ...next, sources: sorted(next.sources), documents: sorted(next.documents) });
    },
    key,
    findSource(name, current) {
      const entry = data?.sources.get(name);
      if (!entry || !sameStat(entry.stat, current)) return undefined;
      return entry.stat.mtimeMs < (data as BuildIndexData).startedAt - RACY_MS ? entry : undefined;
    },
    findDocument(outputPath) {
      return data?.documents.get(outputPath);
    },
    isDocumentIntact(outputPath, absolute, fingerprint) {
      const entry = data?.documents.get(outputPath);
      if (!entry || entry.fingerprint !== fingerprint || !(entry.mtimeMs < savedAt)) return false;
      // Synchronous: an archive of 10,000 articles has 1,500 documents, and the thread pool is slower.
      let info: Stats | undefined;
      try {
        info = statSync(absolute);
      } catch {
        return false;
      }
      return info.isFile() && info.size === entry.size && info.mtimeMs === entry.mtimeMs;
    },
  };
}

/** True when `next` records what `data` does (its start time aside): then the file stays as it is. */
function sameRecords(data: BuildIndexData, next: BuildIndexData): boolean {
  if (data.key !== next.key || data.sources.size !== next.sources.size || data.documents.size !== next.documents.size) return false;
  for (const [file, entry] of next.sources) {
    const old = data.sources.get(file);
    // Entries taken from the index are the same objects; entries read again are compared whole, as
    // JSON: V8's format writes the same number as an int or a double depending on its history.
    if (old === undefined || (old !== entry && JSON.stringify(old) !== JSON.stringify(entry))) return false;
  }
  for (const [file, entry] of next.documents) {
    const old = data.documents.get(file);
    if (old === undefined || (old !== entry && JSON.stringify(old) !== JSON.stringify(entry))) return false;
  }
  return true;
}

async function readIndexData(file: string, key: string): Promise<BuildIndexData | undefined> {
  const bytes = await readFile(file).catch(() => undefined);
  if (!bytes || bytes.length < 32) return undefined;
  const payload = bytes.subarray(32);
  if (!createHash("sha256").update(payload).digest().equals(bytes.subarray(0, 32))) return undefined;
  try {
    const data = deserialize(payload) as Partial<BuildIndexData>;
    if (data?.version !== BUILD_INDEX_VERSION || data.key !== key) return undefined;
    if (typeof data.startedAt !== "number" || !(data.sources instanceof Map) || !(data.documents instanceof Map)) return undefined;
    return data as BuildIndexData;
  } catch {
    return undefined;
  }
}

/** Write the index (temp file + rename). Never throws: without an index the next build is a full one. */
async function saveBuildIndex(dir: string, data: BuildIndexData): Promise<boolean> {
  const file = path.join(dir, FILE_NAME);
  const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const payload = serialize(data);
    await mkdir(dir, { recursive: true });
    await writeFile(temp, Buffer.concat([createHash("sha256").update(payload).digest(), payload]));
    await rename(temp, file);
    return true;
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
    return false;
  }
}

/**
 * The build stamp (issue 7): the inputs and outputs of the last build in one small file, so that a
 * rebuild with nothing changed is decided from `stat` calls alone, without reading the index. It
 * holds a digest of every article file's path and stat (and of the listing's warnings), the stat of
 * the state file and of local media files, the window of build instants in which the same
 * articles are live, every output file's size and mtime, and the result to give back.
 * Version 4: the state file's digests of items changed (state/feed-state.ts), so a stamp written
 * before must not let a build skip recording them anew. Version 5: the window also ends at the
 * first `updated` after the build's instant, since the result's warnings name such articles.
 * Version 6: that warning's text and its 10 minutes of tolerance.
 */
export const BUILD_STAMP_VERSION = 6;
const STAMP_NAME = "stamp.json";

/** What a build that changed nothing returns: everything in it is JSON. */
export interface StampedResult {
  feeds: { paths: Record<"rss" | "atom" | "json", string>; items: number }[];
  listings: unknown[];
  /** Every output file, as BuildResult.reusedFiles lists it. */
  outputs: { path: string; mediaType: string; bytes: number; items: number; mtimeMs: number }[];
  diagnostics: Diagnostic[];
  expired: { id: string; file: string; title: string; expires: string }[];
}

export interface BuildStamp {
  version: number;
  /** sha256 of the stamp's JSON without this field: a digit changed in place is no stamp. */
  checksum?: string;
  key: string;
  /** Wall-clock start of the build that wrote it: article files must be older by RACY_MS. */
  startedAt: number;
  /** See `digestInputs`. */
  inputs: string;
  /** Local media files (relative to the root) whose stats are part of `inputs`. */
  media: string[];
  /** Their copies in the output folder, as this build left them. */
  copies: { path: string; size: number; mtimeMs: number }[];
  /** The same articles are live for a build instant in [from, until) (ms; null: no bound). */
  from: number | null;
  until: number | null;
  result: StampedResult;
}

/** A digest of the inputs a stamp vouches for: each entry a path and its stat (undefined: missing). */
export function digestInputs(entries: Iterable<readonly [string, FileStat | undefined]>, extra: string): string {
  const hash = createHash("sha256").update(extra);
  for (const [name, info] of entries) {
    hash.update(`\n${name}\u0000${info ? `${info.size} ${info.mtimeMs} ${info.ctimeMs} ${info.ino}` : "-"}`);
  }
  return hash.digest("hex");
}

function checksumOf(stamp: BuildStamp): string {
  return createHash("sha256").update(JSON.stringify({ ...stamp, checksum: undefined })).digest("hex");
}

/** The stamp in `dir` and the mtime of its file, if it is there, readable and of this key. */
export async function readStamp(dir: string, key: string): Promise<{ stamp: BuildStamp; savedAt: number } | undefined> {
  const file = path.join(dir, STAMP_NAME);
  try {
    const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
    const stamp = JSON.parse(text) as BuildStamp;
    if (stamp?.version !== BUILD_STAMP_VERSION || stamp.key !== key || typeof stamp.inputs !== "string" || !stamp.result) return undefined;
    if (stamp.checksum !== checksumOf(stamp)) return undefined;
    return { stamp, savedAt: info.mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Write the stamp, or remove it (undefined: this build's inputs could still change unseen). The file
 * is left alone when it already says the same (its start time aside), so a build rewrites nothing
 * when nothing changed. Never throws.
 */
export async function saveStamp(dir: string, stamp: BuildStamp | undefined): Promise<void> {
  const file = path.join(dir, STAMP_NAME);
  try {
    if (!stamp) {
      await rm(file, { force: true });
      return;
    }
    const old = await readStamp(dir, stamp.key);
    if (old && JSON.stringify({ ...old.stamp, startedAt: 0, checksum: undefined }) === JSON.stringify({ ...stamp, startedAt: 0, checksum: undefined })) return;
    const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    await mkdir(dir, { recursive: true });
    await writeFile(temp, `${JSON.stringify({ ...stamp, checksum: checksumOf(stamp) })}\n`);
    await rename(temp, file);
  } catch {
    // Without a stamp the next build only takes the longer way.
  }
}
