import { createHash } from "node:crypto";
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";

export interface FileState {
  sha1: string;
  /** Nanoseconds: a rewrite with the same bytes within the same millisecond still shows. */
  mtimeNs: bigint;
}

/** Every file under `dir` (but the top-level names in `exclude`) with its hash and mtime. */
export async function snapshotTree(dir: string, exclude: readonly string[] = []): Promise<Map<string, FileState>> {
  const out = new Map<string, FileState>();
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const rel = path.relative(dir, full).split(path.sep).join("/");
      if (exclude.includes(rel)) continue;
      if (entry.isDirectory()) await walk(full);
      else {
        const info = await stat(full, { bigint: true });
        out.set(rel, { sha1: createHash("sha1").update(await readFile(full)).digest("hex"), mtimeNs: info.mtimeNs });
      }
    }
  };
  await walk(dir);
  return out;
}

/** What differs between two snapshots, one line per file ("changed bytes", "new mtime", …). */
export function diffSnapshots(before: Map<string, FileState>, after: Map<string, FileState>): string[] {
  const problems: string[] = [];
  for (const [file, old] of before) {
    const now = after.get(file);
    if (!now) problems.push(`${file}: removed`);
    else if (now.sha1 !== old.sha1) problems.push(`${file}: bytes changed`);
    else if (now.mtimeNs !== old.mtimeNs) problems.push(`${file}: rewritten with the same bytes (mtime moved)`);
  }
  for (const file of after.keys()) if (!before.has(file)) problems.push(`${file}: created`);
  return problems;
}
