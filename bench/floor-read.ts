/**
 * Floor: Node reads every article as text, one after another (as wirefeed's loader does), and
 * does nothing else. No build can be faster than this in Node.
 *
 *   node --import tsx bench/floor-read.ts --articles DIR
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { listArticles } from "./list-articles.ts";

const { values } = parseArgs({ options: { articles: { type: "string" } } });
if (!values.articles) throw new Error("usage: floor-read.ts --articles DIR");

let characters = 0;
for (const file of await listArticles(values.articles)) {
  // Kept, so the read cannot be optimised away.
  characters += (await readFile(file, "utf8")).length;
}
process.stderr.write(`read ${characters} characters\n`);
