import { type Hash, createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readOwnVersion, readPackageVersion } from "./package-version.ts";

/**
 * Bump when the entry layout changes, or when what wirefeed renders changes without a change of
 * its version or of a render library's version (a fix in render/, a new sanitize rule): every old
 * entry then misses.
 */
export const CACHE_FORMAT_VERSION = 2;

/** The packages whose code decides the rendered HTML; their versions are part of every key. */
export const RENDER_PACKAGES = ["marked", "marked-gfm-heading-id", "marked-footnote", "sanitize-html"] as const;

/** What one entry holds: an article's rendered HTML and its plain text. */
export interface CachedRender {
  html: string;
  text: string;
}

export interface RenderCacheStats {
  /** Entries found and intact. */
  hits: number;
  /** Keys with no entry, or with an entry that was unreadable or damaged. */
  misses: number;
  /** Entries written. */
  written: number;
  /** Writes that failed; after the first one the cache stops writing until the next readMany. */
  writeFailures: number;
}

/** A content-addressed store of rendered articles in one folder (issue 7). */
export interface RenderCache {
  readonly dir: string;
  readonly stats: Readonly<RenderCacheStats>;
  /** The key of these render inputs: sha256 over the cache format, the library versions and `parts`. */
  keyOf(parts: readonly string[]): string;
  /** The entry of each key, or undefined: a missing, unreadable or damaged entry is a miss, never an error. */
  readMany(keys: readonly string[]): Promise<(CachedRender | undefined)[]>;
  /** Queue an entry to be written (temp file + rename). Never throws; a failed write is only counted. */
  write(key: string, entry: CachedRender): void;
  /** Resolves when every queued write has ended, written or not. Never rejects. */
  flush(): Promise<void>;
}

export interface RenderCacheOptions {
  /**
   * The versions that go into every key, by package name. Default: wirefeed's own and those of
   * RENDER_PACKAGES, each read once from its package.json; for tests.
   */
  versions?: Readonly<Record<string, string>>;
}

const MAGIC = "wirefeed-render-cache";
/** Reads between two turns of the event loop: small enough to keep a preview server responsive. */
const READ_CHUNK = 256;
/**
 * Longest a slice of queued writes holds the event loop. Writes are synchronous, in slices between
 * turns of the loop: while workers render, the main thread is idle, and on 10,000 entries
 * fs.promises writes (a FileHandle and four thread-pool round trips each) cost about 4 s more CPU.
 */
const WRITE_SLICE_MS = 8;
/**
 * A lone surrogate cannot survive UTF-8, so a string with one is not cached (it is rendered again
 * next time) rather than cached wrong. `isWellFormed` (ES2024, in Node 20) is native and about
 * ten times faster than a /\p{Cs}/u scan.
 */
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

let defaultVersions: Readonly<Record<string, string>> | undefined;

/**
 * Read once per process. A package that cannot be found (a bundle that inlined it) counts as
 * "unknown": the key then still changes with wirefeed's version and CACHE_FORMAT_VERSION.
 */
function readDefaultVersions(): Readonly<Record<string, string>> {
  if (defaultVersions) return defaultVersions;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const versions: Record<string, string> = { wirefeed: readOwnVersion("wirefeed", here) ?? "unknown" };
  for (const name of RENDER_PACKAGES) versions[name] = readPackageVersion(name, here) ?? "unknown";
  defaultVersions = Object.freeze(versions);
  return defaultVersions;
}

/** The versions every key is made from, by package name. */
export function renderCacheVersions(): Readonly<Record<string, string>> {
  return readDefaultVersions();
}

function entryFile(dir: string, key: string): string {
  return path.join(dir, key.slice(0, 2), `${key}.render`);
}

/**
 * `<magic> <format> <key> <html length> <text length> <checksum>\n<html><text>`: no escaping to undo
 * on a hit. The checksum (sha256 of html and text, 32 hex digits) makes a byte changed in place a
 * miss too, not only a truncated or padded file.
 */
function serializeEntry(key: string, entry: CachedRender): string {
  return `${MAGIC} ${CACHE_FORMAT_VERSION} ${key} ${entry.html.length} ${entry.text.length} ${checksumOf(entry)}\n${entry.html}${entry.text}`;
}

function checksumOf(entry: CachedRender): string {
  return createHash("sha256").update(entry.html).update("\u0000").update(entry.text).digest("hex").slice(0, 32);
}

function parseEntry(contents: string, key: string): CachedRender | undefined {
  const newline = contents.indexOf("\n");
  if (newline < 0 || newline > 256) return undefined;
  const fields = contents.slice(0, newline).split(" ");
  const [magic, format, storedKey, htmlLength, textLength, checksum] = fields;
  if (fields.length !== 6 || magic !== MAGIC || format !== String(CACHE_FORMAT_VERSION) || storedKey !== key) return undefined;
  if (!/^\d{1,15}$/.test(htmlLength ?? "") || !/^\d{1,15}$/.test(textLength ?? "")) return undefined;
  const start = newline + 1;
  const middle = start + Number(htmlLength);
  // A truncated or padded file, or bytes that did not decode as UTF-8, change the length.
  if (contents.length !== middle + Number(textLength)) return undefined;
  const entry = { html: contents.slice(start, middle), text: contents.slice(middle) };
  return checksumOf(entry) === checksum ? entry : undefined;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether the cache in `dir` holds any entry folder: false for a fresh folder or an emptied cache. */
export async function hasRenderCacheEntries(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  return entries?.some((entry) => entry.isDirectory() && SHARD_NAME.test(entry.name)) ?? false;
}

/** A shard folder: the first two hex digits of its entries' keys. */
const SHARD_NAME = /^[0-9a-f]{2}$/;

/**
 * Open the cache in `dir` (absolute; created on the first write). Entries are sharded by the
 * first two hex digits of their key (`dir/ab/abcdef….render`), so 10,000 articles make about 40
 * files per folder. Nothing is read or written until asked.
 */
export function openRenderCache(dir: string, options: RenderCacheOptions = {}): RenderCache {
  if (!path.isAbsolute(dir)) throw new Error(`openRenderCache: expected an absolute folder, got ${JSON.stringify(dir)}`);
  const versions = options.versions ?? readDefaultVersions();
  const fingerprint = JSON.stringify({ format: CACHE_FORMAT_VERSION, versions: Object.entries(versions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) });
  const base: Hash = createHash("sha256").update(`${fingerprint.length}\n${fingerprint}`);
  const stats: RenderCacheStats = { hits: 0, misses: 0, written: 0, writeFailures: 0 };
  /** Entry file names present in each shard folder, listed once: a miss then costs no failed open. */
  const listed = new Map<string, Set<string>>();
  const shardsMade = new Set<string>();
  /** Entries to write; each is let go once written (a slot of `queue` before `next` is empty). */
  const queue: ({ key: string; entry: CachedRender } | undefined)[] = [];
  const waiting: (() => void)[] = [];
  /** Index of the first entry of `queue` not yet written. */
  let next = 0;
  let scheduled = false;
  let broken = false;

  function listShard(shard: string): Set<string> {
    let names = listed.get(shard);
    if (!names) {
      try {
        names = new Set(readdirSync(path.join(dir, shard)));
      } catch {
        names = new Set();
      }
      listed.set(shard, names);
    }
    return names;
  }

  function readOne(key: string): CachedRender | undefined {
    if (!/^[0-9a-f]{64}$/.test(key) || !listShard(key.slice(0, 2)).has(`${key}.render`)) return undefined;
    try {
      return parseEntry(readFileSync(entryFile(dir, key), "utf8"), key);
    } catch {
      return undefined;
    }
  }

  function writeOne(key: string, entry: CachedRender): void {
    const file = entryFile(dir, key);
    const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      const shard = path.dirname(file);
      if (!shardsMade.has(shard)) {
        mkdirSync(shard, { recursive: true });
        shardsMade.add(shard);
      }
      writeFileSync(temp, serializeEntry(key, entry), "utf8");
      // A rename within one folder is atomic: a reader sees the old entry, none, or the new one.
      renameSync(temp, file);
      stats.written++;
    } catch {
      stats.writeFailures++;
      broken = true;
      try {
        rmSync(temp, { force: true });
      } catch {
        // Nothing was left behind (the folder could not be made), or nothing more can be done.
      }
    }
  }

  /** Write queued entries for up to WRITE_SLICE_MS, then yield the loop; again until the queue is empty. */
  function drain(): void {
    scheduled = false;
    const until = performance.now() + WRITE_SLICE_MS;
    while (next < queue.length && !broken && performance.now() < until) {
      const job = queue[next] as { key: string; entry: CachedRender };
      // Let go as soon as written: while renders outpace the writes, the queue would otherwise
      // hold every rendered article until the last write (issue 7).
      queue[next++] = undefined;
      writeOne(job.key, job.entry);
    }
    if (broken || next === queue.length) {
      queue.length = 0;
      next = 0;
    }
    if (queue.length > 0) schedule();
    else {
      for (const resolve of waiting.splice(0)) resolve();
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  }

  return {
    dir,
    stats,
    keyOf(parts) {
      // Parts come from UTF-8 files and config, so they hold no lone surrogate (which update()
      // would hash as U+FFFD, making two inputs one key).
      const hash = base.copy();
      for (const part of parts) hash.update(`${part.length}\n`).update(part);
      return hash.digest("hex");
    },
    async readMany(keys) {
      // Each lookup starts afresh: another process, or a person, may have changed the folder
      // since a long-lived cache (the preview server's) last looked.
      listed.clear();
      shardsMade.clear();
      broken = false;
      const found: (CachedRender | undefined)[] = [];
      for (let start = 0; start < keys.length; start += READ_CHUNK) {
        // Synchronous reads of small files, a chunk at a time, measured about twice as fast as
        // fs.promises.readFile on 10,000 entries; the turn between chunks keeps the loop alive.
        if (start > 0) await nextTurn();
        for (const key of keys.slice(start, start + READ_CHUNK)) {
          const entry = readOne(key);
          if (entry) stats.hits++;
          else stats.misses++;
          found.push(entry);
        }
      }
      return found;
    },
    write(key, entry) {
      if (broken || !/^[0-9a-f]{64}$/.test(key)) return;
      if (!isWellFormed(entry.html) || !isWellFormed(entry.text)) return;
      queue.push({ key, entry });
      schedule();
    },
    flush() {
      if (queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
  };
}
