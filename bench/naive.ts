/**
 * The baseline the issue measured: the obvious script anyone would write with gray-matter,
 * marked and feed@6. Every article goes into one feed in all three formats, with full HTML
 * content, and each document is built as one string and written in one go.
 *
 *   node --import tsx bench/naive.ts --articles DIR --out DIR --site-url URL --now ISO
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { Feed } from "feed";
import matter from "gray-matter";
import { marked } from "marked";
import { listArticles } from "./list-articles.ts";

const { values } = parseArgs({
  options: {
    articles: { type: "string" },
    out: { type: "string" },
    "site-url": { type: "string" },
    now: { type: "string" },
  },
});
const { articles, out, now } = values;
const siteUrl = values["site-url"];
if (!articles || !out || !siteUrl || !now) throw new Error("usage: naive.ts --articles DIR --out DIR --site-url URL --now ISO");

interface Post {
  title: string;
  date: Date;
  summary?: string;
  author?: string;
  tags: string[];
  url: string;
  html: string;
}

const posts: Post[] = [];
for (const file of await listArticles(articles)) {
  // gray-matter with no options, as its README shows (and so with its cache of every file).
  const { data, content } = matter(await readFile(file, "utf8"));
  const slug = path.basename(file, ".md").replace(/^\d{4}-\d{2}-\d{2}-/, "");
  posts.push({
    title: String(data.title),
    date: new Date(data.date as string),
    summary: data.summary as string | undefined,
    author: data.author as string | undefined,
    tags: (data.tags as string[] | undefined) ?? [],
    url: new URL(`posts/${slug}/`, siteUrl).href,
    html: marked.parse(content, { async: false }) as string,
  });
}
posts.sort((a, b) => b.date.getTime() - a.date.getTime());

const feed = new Feed({
  title: "Bench Daily",
  description: "A generated newsroom for the wirefeed benchmark.",
  id: siteUrl,
  link: siteUrl,
  language: "en",
  updated: new Date(now),
  generator: "naive",
  copyright: "",
  feedLinks: { rss: `${siteUrl}rss.xml`, atom: `${siteUrl}atom.xml`, json: `${siteUrl}feed.json` },
});
for (const post of posts) {
  feed.addItem({
    title: post.title,
    id: post.url,
    link: post.url,
    date: post.date,
    ...(post.summary ? { description: post.summary } : {}),
    content: post.html,
    ...(post.author ? { author: [{ name: post.author }] } : {}),
    category: post.tags.map((name) => ({ name })),
  });
}
await mkdir(out, { recursive: true });
await writeFile(path.join(out, "rss.xml"), feed.rss2());
await writeFile(path.join(out, "atom.xml"), feed.atom1());
await writeFile(path.join(out, "feed.json"), feed.json1());
