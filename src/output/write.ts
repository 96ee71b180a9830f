import { randomBytes } from "node:crypto";
import * as nodeFs from "node:fs/promises";
import path from "node:path";
import { WirefeedError } from "../errors.ts";
import type { MediaCopy, OutputFile } from "../model/types.ts";

/** The file operations writing needs; tests pass a double that fails like a full disk. */
/** Files compared and written at once. */
const WRITE_CONCURRENCY = 16;

/** Temp files of this writer: `<target>.wirefeed-<12 hex>.tmp`. */
const TEMP_NAME = /\.wirefeed-[0-9a-f]{12}\.tmp$/;

export interface WriteFs {
  mkdir: (dir: string, options: { recursive: true }) => Promise<unknown>;
  readFile: (file: string) => Promise<Buffer>;
  writeFile: (file: string, data: Uint8Array) => Promise<void>;
  rename: (from: string, to: string) => Promise<void>;
  rm: (file: string, options: { force: true }) => Promise<void>;
  readdir: (dir: string) => Promise<string[]>;
}

export const nodeWriteFs: WriteFs = {
  mkdir: (dir, options) => nodeFs.mkdir(dir, options),
  readFile: (file) => nodeFs.readFile(file),
  writeFile: async (file, data) => {
    // Flushed before the rename, so a crash can never leave a renamed but empty file.
    const handle = await nodeFs.open(file, "wx");
    try {
      await handle.writeFile(data);
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
  const suffix = `.wirefeed-${randomBytes(6).toString("hex")}.tmp`;
  if (!TEMP_NAME.test(`x${suffix}`)) throw new Error("temp suffix and TEMP_NAME disagree");
  const root = path.resolve(outDir);
  const targets = files.map((file) => {
    const target = path.resolve(root, ...file.path.split("/"));
    if (!target.startsWith(root + path.sep)) {
      throw new WirefeedError("OUTPUT_UNWRITABLE", `refusing to write outside the output folder: ${file.path}`);
    }
    return target;
  });
  // Each file: compare with what is there, else write a temp file (fsync'd). Several at once: on
  // a site with a feed per tag, one fsync after another was most of a small build's time.
  const outcomes: ("unchanged" | { temp: string; target: string; path: string } | undefined)[] = new Array(files.length);
  let next = 0;
  let failure: unknown;
  const stageNext = async (): Promise<void> => {
    while (failure === undefined && next < files.length) {
      const index = next++;
      const file = files[index] as OutputFile | MediaCopy;
      const target = targets[index] as string;
      try {
        const bytes = "bytes" in file ? file.bytes : Buffer.from(file.contents, "utf8");
        const existing = await fs.readFile(target).catch(() => undefined);
        if (existing?.equals(bytes)) {
          outcomes[index] = "unchanged";
          continue;
        }
        await fs.mkdir(path.dirname(target), { recursive: true });
        const temp = `${target}${suffix}`;
        outcomes[index] = { temp, target, path: file.path };
        await fs.writeFile(temp, bytes);
      } catch (cause) {
        failure ??= cause;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, files.length) }, stageNext));
  const staged = outcomes.filter((outcome) => typeof outcome === "object");
  const unchanged = files.filter((_file, index) => outcomes[index] === "unchanged").map((file) => file.path);
  if (failure !== undefined) {
    await Promise.all(staged.map((entry) => fs.rm(entry.temp, { force: true }).catch(() => undefined)));
    if (failure instanceof WirefeedError) throw failure;
    const error = failure as NodeJS.ErrnoException;
    throw new WirefeedError("OUTPUT_UNWRITABLE", `cannot write to ${outDir}: ${error.code ?? ""} ${error.message}`.trim(), {
      field: "outDir",
      cause: failure,
      hint: error.code === "ENOSPC" ? "the disk is full; the previous feeds are unchanged" : "check that the folder is writable; the previous feeds are unchanged",
    });
  }
  for (const entry of staged) await fs.rename(entry.temp, entry.target);
  await removeLeftoverTemps(root, files, fs);
  return { written: staged.map((entry) => entry.path), unchanged };
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
    for (const name of names) if (TEMP_NAME.test(name)) await fs.rm(path.join(dir, name), { force: true });
  }
}
