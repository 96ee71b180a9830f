import { readdir } from "node:fs/promises";
import path from "node:path";

/** Every `*.md` file in a flat corpus folder, sorted, as absolute paths. */
export async function listArticles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".md")).sort();
  return names.map((name) => path.join(dir, name));
}
