/**
 * Floor: read articles, split their front matter with gray-matter and render their bodies with
 * marked, and keep nothing. Any build that renders those articles pays at least this.
 *
 *   node --import tsx bench/floor-render.ts --articles DIR [--files LIST] [--threads N]
 *
 * --files LIST: only the articles named in LIST (one path a line, relative to DIR), in that order;
 *               default every article under DIR.
 * --threads N:  split the articles among N worker threads, every Nth to each (default 1: the
 *               main thread, no worker).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import matter from "gray-matter";
import { Marked } from "marked";
import { workerScript } from "../src/worker-entry.ts";
import { listArticles } from "./list-articles.ts";

/** Characters of HTML rendered from `files`, one after another. */
async function renderFiles(files: readonly string[]): Promise<number> {
  const marked = new Marked({ gfm: true, async: false });
  let characters = 0;
  for (const file of files) {
    // An options object turns off gray-matter's process-wide cache of every file's text: a floor
    // should not pay for memory it does not need.
    const { content } = matter(await readFile(file, "utf8"), {});
    characters += (marked.parse(content, { async: false }) as string).length;
  }
  return characters;
}

function renderOnWorker(files: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const entry = workerScript(new URL(import.meta.url));
    const worker = new Worker(entry.filename, { eval: entry.eval, workerData: files });
    worker.once("message", (characters: number) => resolve(characters));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`floor worker exited with code ${code} before it answered`)));
  });
}

async function listFiles(articles: string, list: string | undefined): Promise<string[]> {
  if (list === undefined) return listArticles(articles);
  const lines = (await readFile(list, "utf8")).split("\n").filter((line) => line !== "");
  return lines.map((line) => path.resolve(articles, line));
}

if (isMainThread) {
  const { values } = parseArgs({ options: { articles: { type: "string" }, files: { type: "string" }, threads: { type: "string", default: "1" } } });
  const threads = Number(values.threads);
  if (!values.articles || !Number.isInteger(threads) || threads < 1) {
    throw new Error("usage: floor-render.ts --articles DIR [--files LIST] [--threads N]");
  }
  const files = await listFiles(values.articles, values.files);
  const characters =
    threads === 1
      ? await renderFiles(files)
      : (await Promise.all(Array.from({ length: threads }, (_, share) => renderOnWorker(files.filter((_, index) => index % threads === share))))).reduce(
          (sum, part) => sum + part,
          0,
        );
  process.stderr.write(`rendered ${files.length} articles, ${characters} characters of HTML, on ${threads} thread(s)\n`);
} else {
  parentPort?.postMessage(await renderFiles(workerData as string[]));
}
