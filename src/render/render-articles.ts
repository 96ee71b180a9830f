import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { WirefeedError } from "../errors.ts";
import { workerEntry } from "../worker-entry.ts";
import type { Article, RenderedArticle } from "../model/types.ts";
import type { SanitizeSettings } from "./sanitize.ts";

/**
 * Fewest articles to render (cache misses) before worker threads are used by default. A worker
 * starts in about 0.35 s under tsx (0.15 s compiled) before its first article, and an article takes
 * about 1.1 ms, so on 2 cores workers only pay off past a thousand articles or so. Measured on the
 * bench corpus, 2 cores, main thread vs 2 workers, median of 6 runs (issue 7):
 * 1,000: 1.19 s vs 1.28 s under tsx (1.16 vs 1.08 compiled); 1,500: 1.68 vs 1.57 (1.67 vs 1.39);
 * 2,000: 2.33 vs 1.84 (2.13 vs 1.65); 10,000 (3 runs): 10.7 vs 6.4 (10.3 vs 5.9).
 * Under tsx, which is how the CLI runs today, the two cross near 1,500.
 */
export const WORKER_THRESHOLD = 1500;

/** What the render of one article depends on, and all a worker is sent. */
export interface RenderInput {
  body: string;
  permalink: string;
}

/** What rendering adds to an article. */
export interface RenderOutput {
  html: string;
  text: string;
}

/**
 * The cache renderArticles reads and fills: `openRenderCache(dir)` from src/cache/render-cache.ts
 * gives one. Described here, by shape, because stages meet only in pipeline.ts.
 */
export interface RenderCacheLike {
  keyOf(parts: readonly string[]): string;
  readMany(keys: readonly string[]): Promise<(RenderOutput | undefined)[]>;
  write(key: string, entry: RenderOutput): void;
  flush(): Promise<void>;
}

export interface RenderOptions {
  sanitize: SanitizeSettings;
  /** The content-addressed cache, or undefined to render everything and store nothing (`--no-cache`). */
  cache: RenderCacheLike | undefined;
  /**
   * Worker threads: 0 renders on the main thread. Default: none below WORKER_THRESHOLD articles
   * to render, else one per available core (os.availableParallelism()), at most one per article.
   */
  workers?: number;
  /** Called after each article is rendered or found in the cache: `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The body of an article that arrived without one (restored by the build index): read only
   * when the article misses the cache. It must be the body `bodyHash` was made from.
   */
  readBody?: (article: Article) => Promise<string>;
}

/** Files read at once for bodies the build index left out. */
const BODY_READS = 32;

/** Data a render worker starts with. */
export interface RenderWorkerData {
  sanitize: SanitizeSettings;
}

/** Main thread → worker: render these, reply with the same batch number. */
export interface RenderBatch {
  batch: number;
  items: RenderInput[];
}

/** Worker → main thread. */
export type RenderWorkerMessage =
  | { kind: "ready" }
  | { kind: "done"; batch: number; results: RenderOutput[] }
  | { kind: "failed"; batch: number; index: number; error: { name: string; message: string; stack: string | undefined } };

/** Articles a worker is sent at once, at most: large enough that messages cost little, small enough to share the tail. */
const MAX_BATCH = 64;
/** Batches each worker holds at once, so it never waits for the main thread between two. */
const BATCHES_IN_FLIGHT = 2;
/** Articles the main thread renders between two turns of the event loop (so cache writes proceed). */
const MAIN_CHUNK = 64;

function bodyHashOf(article: Article): string {
  if (article.bodyHash === undefined) throw new Error(`${article.file}: the article's body was never read, so it cannot be rendered`);
  return article.bodyHash;
}

/** The render input of one article; a body the build index left out is read. */
async function inputOf(article: Article, readBody: RenderOptions["readBody"]): Promise<RenderInput> {
  if (article.body !== undefined) return { body: article.body, permalink: article.permalink };
  if (!readBody) throw new Error(`${article.file}: the article has no body and no way to read it`);
  return { body: await readBody(article), permalink: article.permalink };
}

/** The render input of each miss (bounded in parallel), for a render on this thread. */
async function readInputs(
  articles: readonly Article[],
  misses: readonly number[],
  readBody: RenderOptions["readBody"],
): Promise<(RenderInput | undefined)[]> {
  const inputs: (RenderInput | undefined)[] = new Array(articles.length);
  let next = 0;
  const readNext = async (): Promise<void> => {
    while (next < misses.length) {
      const index = misses[next++] as number;
      inputs[index] = await inputOf(articles[index] as Article, readBody);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BODY_READS, misses.length) }, readNext));
  return inputs;
}

/** JSON with object keys sorted, so the same settings always give the same key. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function renderFailure(file: string, cause: unknown): Error {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new Error(`${file}: could not render the article: ${message}`, { cause });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Job {
  /** Indices into the input articles. */
  indices: number[];
}

/** Render `misses` on `count` worker threads; each result goes to `onRendered` as it arrives. */
async function renderOnWorkers(
  articles: readonly Article[],
  readBody: RenderOptions["readBody"],
  misses: readonly number[],
  count: number,
  sanitize: SanitizeSettings,
  onRendered: (index: number, output: RenderOutput) => void,
): Promise<void> {
  const size = Math.max(1, Math.min(MAX_BATCH, Math.ceil(misses.length / (count * 8))));
  const jobs: Job[] = [];
  for (let start = 0; start < misses.length; start += size) jobs.push({ indices: misses.slice(start, start + size) });
  const { filename, eval: isScript } = workerEntry("render", import.meta.url);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let finished = 0;
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      const describeJobs = (held: ReadonlySet<number>) => {
        const files = [...held].flatMap((batch) => (jobs[batch] as Job).indices.map((index) => (articles[index] as Article).file));
        return files.length === 0 ? "" : ` while rendering ${files[0]}${files.length > 1 ? ` or one of ${files.length - 1} articles after it` : ""}`;
      };
      for (let n = 0; n < count; n++) {
        const worker = new Worker(filename, { eval: isScript, workerData: { sanitize } satisfies RenderWorkerData });
        workers.push(worker);
        const held = new Set<number>();
        let ready = false;
        const send = () => {
          while (!failed && held.size < BATCHES_IN_FLIGHT && next < jobs.length) {
            const batch = next++;
            held.add(batch);
            // Bodies are read as their batch is sent, so only the batches in flight are held
            // (issue 7: 50,000 bodies read ahead were 800 MB of strings). A read that fails (the
            // file changed since its digest was taken) ends the render with its own error.
            Promise.all((jobs[batch] as Job).indices.map((index) => inputOf(articles[index] as Article, readBody))).then(
              (items) => {
                if (!failed) worker.postMessage({ batch, items } satisfies RenderBatch);
              },
              (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
            );
          }
        };
        worker.on("message", (message: RenderWorkerMessage) => {
          if (failed) return;
          if (message.kind === "ready") {
            ready = true;
            return;
          }
          const job = jobs[message.batch] as Job;
          if (message.kind === "failed") {
            const index = job.indices[message.index] as number;
            const cause = Object.assign(new Error(message.error.message), { name: message.error.name, stack: message.error.stack });
            fail(renderFailure((articles[index] as Article).file, cause));
            return;
          }
          held.delete(message.batch);
          message.results.forEach((output, position) => onRendered(job.indices[position] as number, output));
          finished++;
          if (finished === jobs.length) resolve();
          else send();
        });
        worker.on("error", (error) => {
          fail(
            ready
              ? new Error(`a render worker failed${describeJobs(held)}: ${error.message}`, { cause: error })
              : new Error(`could not start a render worker: ${error.message}`, { cause: error }),
          );
        });
        worker.on("exit", (code) => {
          if (finished < jobs.length) fail(new Error(`a render worker stopped (exit code ${code})${describeJobs(held)}`));
        });
        send();
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/**
 * Render every article's Markdown to safe, absolute-URL HTML and its plain text (issue 7):
 * entries of the content-addressed cache first, on the main thread; then the misses, on worker
 * threads when there are enough of them to pay for starting the workers, else on this thread;
 * each new result is written to the cache. The results are in input order and byte for byte what
 * `createArticleRenderer(settings)(article)` (render-article.ts) gives each article.
 *
 * A render that throws (a bug, in wirefeed or a library) rejects with an Error naming the
 * article's file; nothing about the cache ever does.
 */
export async function renderArticles(articles: readonly Article[], options: RenderOptions): Promise<RenderedArticle[]> {
  const { cache, sanitize, onProgress } = options;
  if (options.workers !== undefined && !(Number.isSafeInteger(options.workers) && options.workers >= 0)) {
    throw new WirefeedError("USAGE", `workers: expected a whole number of 0 or more, got ${options.workers}`);
  }
  const total = articles.length;
  const outputs: (RenderOutput | undefined)[] = new Array(total);
  let done = 0;

  // The settings and permalink are part of the key: URLs are made absolute against the permalink.
  const settingsJson = stableJson(sanitize);
  const keys = cache ? articles.map((article) => cache.keyOf([settingsJson, article.permalink, bodyHashOf(article)])) : [];
  if (cache) {
    const found = await cache.readMany(keys);
    found.forEach((entry, index) => {
      if (!entry) return;
      outputs[index] = entry;
      onProgress?.(++done, total);
    });
  }
  const misses: number[] = [];
  for (let index = 0; index < total; index++) if (!outputs[index]) misses.push(index);

  const onRendered = (index: number, output: RenderOutput) => {
    outputs[index] = output;
    cache?.write(keys[index] as string, output);
    onProgress?.(++done, total);
  };
  const cores = availableParallelism();
  const wanted = options.workers ?? (misses.length >= WORKER_THRESHOLD && cores > 1 ? cores : 0);
  const count = Math.min(wanted, misses.length);
  try {
    if (count > 0) await renderOnWorkers(articles, options.readBody, misses, count, sanitize, onRendered);
    else if (misses.length > 0) {
      const inputs = await readInputs(articles, misses, options.readBody);
      // Loaded here, not at the top: marked and sanitize-html cost a build with no misses 60 ms.
      const { createBodyRenderer } = await import("./render-article.ts");
      const render = createBodyRenderer(sanitize);
      for (let position = 0; position < misses.length; position++) {
        if (position > 0 && position % MAIN_CHUNK === 0) await nextTurn();
        const index = misses[position] as number;
        let output: RenderOutput;
        try {
          output = render(inputs[index] as RenderInput);
        } catch (error) {
          throw renderFailure((articles[index] as Article).file, error);
        }
        onRendered(index, output);
      }
    }
  } finally {
    await cache?.flush();
  }
  return articles.map((article, index) => {
    const { html, text } = outputs[index] as RenderOutput;
    return { ...article, html, text };
  });
}
