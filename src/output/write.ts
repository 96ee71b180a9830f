import { randomBytes } from "node:crypto";
import * as nodeFs from "node:fs/promises";
import path from "node:path";
import { WirefeedError } from "../errors.ts";
import type { MediaCopy, OutputFile } from "../model/types.ts";
import type { SpilledPiece } from "./spill.ts";

/** Files compared and written at once. */
const WRITE_CONCURRENCY = 16;

/** Temp files of this writer: `<target>.wirefeed-<12 hex>.tmp`. */
const TEMP_NAME = /\.wirefeed-[0-9a-f]{12}\.tmp$/;

/** What comparing a file already there needs of it (a subset of `fs.promises.FileHandle`). */
export interface ReadHandle {
  stat: () => Promise<{ size: number }>;
  read: (buffer: Buffer, offset: number, length: number, position: number) => Promise<{ bytesRead: number }>;
  close: () => Promise<void>;
}

/** The file operations writing needs; tests pass a double that fails like a full disk. */
export interface WriteFs {
  mkdir: (dir: string, options: { recursive: true }) => Promise<unknown>;
  openForReading: (file: string) => Promise<ReadHandle>;
  /** Create `file` with these bytes, or with the UTF-8 of these pieces one after another. */
  writeFile: (file: string, data: Uint8Array | readonly DocumentPiece[]) => Promise<void>;
  rename: (from: string, to: string) => Promise<void>;
  rm: (file: string, options: { force: true }) => Promise<void>;
  readdir: (dir: string) => Promise<string[]>;
}

export const nodeWriteFs: WriteFs = {
  mkdir: (dir, options) => nodeFs.mkdir(dir, options),
  openForReading: (file) => nodeFs.open(file, "r"),
  writeFile: async (file, data) => {
    // Flushed before the rename, so a crash can never leave a renamed but empty file.
    const handle = await nodeFs.open(file, "wx");
    try {
      if (data instanceof Uint8Array) await handle.writeFile(data);
      // writeFile, not write: one write(2) may write less than asked without an error (a full
      // disk, a quota, a file-size limit); writeFile goes on from the current position until
      // every byte is written, so a short write fails the next call instead of a torn file.
      else for (const chunk of groupParts(data)) await handle.writeFile(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => nodeFs.rename(from, to),
  rm: (file, options) => nodeFs.rm(file, options),
  readdir: (dir) => nodeFs.readdir(dir),
};

export interface WriteResult {
  /** Paths (inside the output folder) whose bytes changed. */
  written: string[];
  /** Paths left alone because their bytes were already right: their mtime does not move. */
  unchanged: string[];
}

/**
 * Write every file through a temp file in the same folder and a rename. All temp files are
 * written before the first rename, so a failure leaves every old file in place; files wirefeed
 * did not write (CNAME, images) are never touched.
 */
export async function writeOutputs(
  outDir: string,
  files: readonly (OutputFile | MediaCopy)[],
  fs: WriteFs = nodeWriteFs,
): Promise<WriteResult> {
  const writer = openOutputWriter(outDir, fs);
  for (const file of files) writer.stage(file);
  return writer.commit();
}

/**
 * Stages files as they are made, so that a build never holds every output at once (issue 7: an
 * archive of 50,000 articles is thousands of documents), and renames them all at the end. Each
 * `stage` compares the file with what is there, and writes a temp file (fsync'd) when it differs;
 * up to WRITE_CONCURRENCY at once, and the caller may drop the contents right away. `flush` waits
 * for what was staged (and throws the first failure); `commit` renames every temp file, only when
 * all were written, and removes leftovers of killed builds; `abort` removes the temp files.
 */
export interface OutputWriter {
  stage(file: OutputFile | MediaCopy | DocumentParts): void;
  flush(): Promise<void>;
  commit(): Promise<WriteResult>;
  abort(): Promise<void>;
}

/** A piece of a document: text, or its UTF-8 already encoded, in memory or in a spill file. */
export type DocumentPiece = string | Uint8Array | SpilledPiece;

/** A text document in pieces (issue 7: a feed of 10,000 full items is never one string). */
export interface DocumentParts {
  path: string;
  parts: readonly DocumentPiece[];
  mediaType: string;
}

/** Bytes written to a file at once, at most (unless one piece is larger), when a document comes in pieces. */
const WRITE_CHUNK = 4 << 20;

/**
 * The UTF-8 of the pieces, in buffers of up to WRITE_CHUNK bytes and never larger than what is
 * left to write (a build writes hundreds of small documents, and every buffer counts towards the
 * memory that decides when V8 collects garbage). Each piece is encoded straight into the buffer
 * (issue 7: joining the pieces into a string first cost as much as encoding it); a piece larger
 * than WRITE_CHUNK is a buffer of its own. A piece given as bytes is UTF-8 already, and copied;
 * a spilled piece is read from its file straight into the buffer.
 */
export function* groupParts(parts: readonly DocumentPiece[]): Generator<Buffer> {
  const sizes = sizesOf(parts);
  let left = sizes.reduce((sum, size) => sum + size, 0);
  let buffer = Buffer.allocUnsafe(Math.min(WRITE_CHUNK, left));
  let used = 0;
  // A high surrogate that ends a piece waits for the next piece, so that a pair two pieces
  // share is encoded as one character, as in the joined text.
  let carried = "";
  for (let index = 0; index <= parts.length; index++) {
    const next = parts[index] ?? "";
    let part: string | Uint8Array | SpilledPiece;
    let size: number;
    if (typeof next === "string") {
      part = carried + next;
      size = carried === "" ? (sizes[index] ?? 0) : Buffer.byteLength(part, "utf8");
      carried = "";
      const last = part.charCodeAt(part.length - 1);
      if (last >= 0xd800 && last <= 0xdbff && index < parts.length) {
        carried = part.slice(-1);
        part = part.slice(0, -1);
        size = Buffer.byteLength(part, "utf8");
      }
    } else {
      // Bytes begin with no low surrogate: a carried high one is a lone one, encoded on its own
      // (as U+FFFD, as in the joined text), before them.
      if (carried !== "") {
        index--;
        part = carried;
        size = Buffer.byteLength(part, "utf8");
        carried = "";
      } else {
        part = next;
        size = next.length;
      }
    }
    if (size > buffer.length - used) {
      if (used > 0) yield buffer.subarray(0, used);
      left -= used;
      used = 0;
      if (size > WRITE_CHUNK) {
        left -= size;
        yield typeof part === "string" ? Buffer.from(part, "utf8") : part instanceof Uint8Array ? Buffer.from(part) : readSpilled(part, Buffer.allocUnsafe(size), 0);
        buffer = Buffer.allocUnsafe(0);
        continue;
      }
      // `left` counts a split pair's halves as 3 bytes each, so it is never short of what is left.
      buffer = Buffer.allocUnsafe(Math.min(WRITE_CHUNK, Math.max(left, size)));
    }
    if (typeof part === "string") used += buffer.write(part, used, "utf8");
    else {
      if (part instanceof Uint8Array) buffer.set(part, used);
      else readSpilled(part, buffer, used);
      used += part.length;
    }
  }
  if (used > 0) yield buffer.subarray(0, used);
}

function readSpilled(piece: SpilledPiece, target: Buffer, at: number): Buffer {
  piece.spill.read(piece, target, at);
  return target;
}

/** The UTF-8 length of each piece, of pieces `measureParts` measured (measured once more otherwise). */
const measured = new WeakMap<readonly DocumentPiece[], readonly number[]>();

function sizesOf(parts: readonly DocumentPiece[]): readonly number[] {
  return measured.get(parts) ?? parts.map((part) => (typeof part === "string" ? Buffer.byteLength(part, "utf8") : part.length));
}

/**
 * The length in UTF-8 bytes of a document in pieces, each piece's length remembered for as long as
 * the pieces are held, so that writing them does not measure them again (issue 7: measuring the
 * HTML of a feed of 10,000 full items took about 60 ms a pass). The pieces must not change after.
 * Each piece is measured on its own: a surrogate pair split across two pieces (which no generated
 * document has) counts as two lone surrogates, though groupParts writes it as one character.
 */
export function measureParts(parts: readonly DocumentPiece[]): number {
  const sizes = sizesOf(parts);
  measured.set(parts, sizes);
  return sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * Whether `file` holds exactly `data` (bytes, or the UTF-8 of the pieces one after another); false
 * when there is no such file. It is read at most WRITE_CHUNK bytes at a time beside the
 * document's own chunks, up to the first difference (issue 7: read whole, the previous feed of
 * 50,000 full items was a 490 MB buffer held beside the new one). Bytes of another size are not
 * read; pieces are not measured first, since measureParts counts a surrogate pair that two
 * pieces share as two lone surrogates.
 */
async function holdsData(fs: WriteFs, file: string, data: Uint8Array | readonly DocumentPiece[]): Promise<boolean> {
  const handle = await fs.openForReading(file).catch(() => undefined);
  if (handle === undefined) return false;
  return compareHandle(handle, data).finally(() => handle.close().catch(() => undefined));
}

/**
 * `holdsData` of an open file. A file that cannot be read (its stat or a read fails) is written
 * again, as one that is not there; an error in making the document's own bytes (a spilled piece
 * read back) is the build's, and is thrown (a compare-only run writes nothing that would throw it later).
 */
async function compareHandle(handle: ReadHandle, data: Uint8Array | readonly DocumentPiece[]): Promise<boolean> {
  const size = await handle.stat().then((info) => info.size, () => undefined);
  if (size === undefined) return false;
  if (data instanceof Uint8Array && data.length !== size) return false;
  // One byte more than the file holds, at most: a chunk longer than the file reads short.
  const buffer = Buffer.allocUnsafe(Math.min(WRITE_CHUNK, size + 1));
  let position = 0;
  for (const chunk of data instanceof Uint8Array ? [data] : groupParts(data)) {
    for (let offset = 0; offset < chunk.length; ) {
      const length = Math.min(buffer.length, chunk.length - offset);
      if ((await readAt(handle, buffer, length, position).catch(() => -1)) !== length) return false;
      if (!buffer.subarray(0, length).equals(chunk.subarray(offset, offset + length))) return false;
      offset += length;
      position += length;
    }
  }
  // Nothing more: the file may have grown since its size was read.
  return (await readAt(handle, buffer, 1, position).catch(() => -1)) === 0;
}

/** Read `length` bytes at `position` into the start of `buffer` (fewer only at the end of the file). */
async function readAt(handle: ReadHandle, buffer: Buffer, length: number, position: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * Stage, write and rename files as below; with `compareOnly`, write nothing at all: each staged
 * file is only compared with the one already there, and `commit` gives those that differ (or are
 * missing) as `written`, the ones a build would write (`wirefeed check` asks this of a build).
 */
export function openOutputWriter(outDir: string, fs: WriteFs = nodeWriteFs, options: { compareOnly?: boolean } = {}): OutputWriter {
  const suffix = `.wirefeed-${randomBytes(6).toString("hex")}.tmp`;
  if (!TEMP_NAME.test(`x${suffix}`)) throw new Error("temp suffix and TEMP_NAME disagree");
  const root = path.resolve(outDir);
  const paths: string[] = [];
  const staged = new Map<string, { temp: string; target: string }>();
  const unchanged = new Set<string>();
  /** With `compareOnly`: the files that differ from what is there, or are not there. */
  const differing = new Set<string>();
  const queue: (OutputFile | MediaCopy | DocumentParts)[] = [];
  let running = 0;
  let failure: unknown;
  let idle: (() => void)[] = [];

  const stageOne = async (file: OutputFile | MediaCopy | DocumentParts): Promise<void> => {
    const target = path.resolve(root, ...file.path.split("/"));
    if (!target.startsWith(root + path.sep)) {
      throw new WirefeedError("OUTPUT_UNWRITABLE", `refusing to write outside the output folder: ${file.path}`);
    }
    // A document in pieces is compared and written piece by piece, never as one buffer (issue 7).
    const data = "bytes" in file ? file.bytes : "parts" in file ? file.parts : Buffer.from(file.contents, "utf8");
    if (await holdsData(fs, target, data)) {
      unchanged.add(file.path);
      return;
    }
    if (options.compareOnly) {
      differing.add(file.path);
      return;
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}${suffix}`;
    staged.set(file.path, { temp, target });
    await fs.writeFile(temp, data);
  };
  const pump = () => {
    while (failure === undefined && running < WRITE_CONCURRENCY && queue.length > 0) {
      const file = queue.shift() as OutputFile | MediaCopy | DocumentParts;
      running++;
      stageOne(file)
        .catch((cause: unknown) => {
          failure ??= cause;
        })
        .finally(() => {
          running--;
          pump();
          if (running === 0 && (queue.length === 0 || failure !== undefined)) {
            const waiting = idle;
            idle = [];
            for (const resolve of waiting) resolve();
          }
        });
    }
  };
  const settle = async (): Promise<void> => {
    if (running > 0 || (queue.length > 0 && failure === undefined)) await new Promise<void>((resolve) => idle.push(resolve));
  };
  const removeTemps = () => Promise.all([...staged.values()].map((entry) => fs.rm(entry.temp, { force: true }).catch(() => undefined)));
  const fail = async (): Promise<never> => {
    queue.length = 0;
    await settle();
    await removeTemps();
    if (failure instanceof WirefeedError) throw failure;
    const error = failure as NodeJS.ErrnoException;
    throw new WirefeedError("OUTPUT_UNWRITABLE", `cannot write to ${outDir}: ${error.code ?? ""} ${error.message}`.trim(), {
      field: "outDir",
      cause: failure,
      hint: error.code === "ENOSPC" ? "the disk is full; the previous feeds are unchanged" : "check that the folder is writable; the previous feeds are unchanged",
    });
  };

  return {
    stage(file) {
      paths.push(file.path);
      queue.push(file);
      pump();
    },
    async flush() {
      await settle();
      if (failure !== undefined) await fail();
    },
    async commit() {
      await settle();
      if (failure !== undefined) await fail();
      if (options.compareOnly) return { written: paths.filter((file) => differing.has(file)), unchanged: paths.filter((file) => unchanged.has(file)) };
      for (const entry of staged.values()) await fs.rename(entry.temp, entry.target);
      await removeLeftoverTemps(root, paths.map((file) => ({ path: file })), fs);
      return { written: paths.filter((file) => staged.has(file)), unchanged: paths.filter((file) => unchanged.has(file)) };
    },
    async abort() {
      queue.length = 0;
      await settle();
      await removeTemps();
    },
  };
}

/**
 * A build killed between writing a temp file and renaming it leaves the temp file behind. After
 * a successful write, remove such leftovers in every folder this build writes to, so they are
 * never deployed. Only names of this writer's pattern are touched.
 */
async function removeLeftoverTemps(root: string, files: readonly { path: string }[], fs: WriteFs): Promise<void> {
  const dirs = new Set(files.map((file) => path.dirname(path.resolve(root, ...file.path.split("/")))));
  for (const dir of dirs) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    // After every rename: a leftover that cannot be removed now is removed by a later build.
    for (const name of names) if (TEMP_NAME.test(name)) await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
  }
}
