import { readFileSync } from "node:fs";
import path from "node:path";

function readVersion(file: string, name?: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
    if (name !== undefined && json.name !== name) return undefined;
    return typeof json.version === "string" ? json.version : undefined;
  } catch {
    return undefined;
  }
}

/** `dir` and each folder above it, nearest first. */
function ancestors(dir: string): string[] {
  const list = [dir];
  for (let parent = path.dirname(dir); parent !== list[list.length - 1]; parent = path.dirname(parent)) list.push(parent);
  return list;
}

/**
 * The version of an installed package, found the way Node finds it (`node_modules/<name>/` in
 * `from` or a folder above it), from its package.json file. Read as a file rather than imported,
 * so that the one-importer rule (marked → render/markdown.ts, sanitize-html → render/sanitize.ts)
 * holds, and because some of these packages do not export `./package.json`.
 * Undefined when it is not installed there, such as in a bundle that inlined it.
 */
export function readPackageVersion(name: string, from: string): string | undefined {
  for (const dir of ancestors(from)) {
    const version = readVersion(path.join(dir, "node_modules", name, "package.json"), name);
    if (version !== undefined) return version;
  }
  return undefined;
}

/** The version in the nearest package.json named `name` at `from` or above: the package's own version. */
export function readOwnVersion(name: string, from: string): string | undefined {
  for (const dir of ancestors(from)) {
    const version = readVersion(path.join(dir, "package.json"), name);
    if (version !== undefined) return version;
  }
  return undefined;
}
