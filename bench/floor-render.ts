/**
 * Floor: read every article, split its front matter with gray-matter and render its body with
 * marked, on one thread, and keep nothing. Any build that renders every article pays at least this.
 *
 *   node --import tsx bench/floor-render.ts --articles DIR
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import matter from "gray-matter";
import { Marked } from "marked";
import { listArticles } from "./list-articles.ts";

const { values } = parseArgs({ options: { articles: { type: "string" } } });
if (!values.articles) throw new Error("usage: floor-render.ts --articles DIR");

const marked = new Marked({ gfm: true, async: false });
let characters = 0;
for (const file of await listArticles(values.articles)) {
  // An options object turns off gray-matter's process-wide cache of every file's text: a floor
  // should not pay for memory it does not need.
  const { content } = matter(await readFile(file, "utf8"), {});
  characters += (marked.parse(content, { async: false }) as string).length;
}
process.stderr.write(`rendered ${characters} characters of HTML\n`);
