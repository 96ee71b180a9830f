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
  /**
   * Render workers that outlive this call (`openRenderPool`; the caller closes them): used
   * instead of workers of its own, and whatever the number of misses once they are started.
   */
  pool?: RenderPool;
  /** Called after each article is rendered or found in the cache: `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Given each article once it is rendered, in input order, after every article before it: then
   * renderArticles returns no list and lets each article go once handed over, so a large render
   * never holds all its HTML (issue 7). An error it throws fails the render once every article
   * is rendered, and it is not called again.
   */
  onArticle?: (article: RenderedArticle, index: number) => void;
  /**
   * With `onArticle` and a cache: articles looked up and rendered this many at a time, so that
   * the cached HTML of a large render is not all read before the first article is handed over.
   * Default STREAM_WINDOW.
   */
  streamWindow?: number;
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
/**
 * Articles looked up in the cache and rendered at once when they are handed over in order: at
 * least WORKER_THRESHOLD, so that a window of misses alone can start the workers.
 */
const STREAM_WINDOW = 4000;
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

/** In place of an output once handed to `onArticle`, so that it can be let go. */
const HANDED_OVER: RenderOutput = { html: "", text: "" };

interface Job {
  /** Indices into the input articles. */
  indices: number[];
}

/**
 * Render worker threads that last from one render to the next (issue 7): a build renders its
 * batches one after another, and starting the workers again for each batch cost their start-up
 * and a cold JIT every time. `start` starts them ahead of the first render, so that they load
 * while the main thread still reads articles. After a failed render the pool renders no more.
 */
export interface RenderPool {
  /** Worker threads once started. */
  readonly size: number;
  /** Whether the workers have been started (by `start` or a render). */
  readonly started: boolean;
  /** Start the workers now, unless they are started or the pool is closed. */
  start(): void;
  /** Render `misses` (indices into `articles`); each result goes to `onRendered` as it arrives. */
  render(
    articles: readonly Article[],
    readBody: RenderOptions["readBody"],
    misses: readonly number[],
    onRendered: (index: number, output: RenderOutput) => void,
  ): Promise<void>;
  /** Stop the workers; waits for them to exit. */
  close(): Promise<void>;
}

/** What the workers are doing now: one render at a time. */
interface Session {
  articles: readonly Article[];
  readBody: RenderOptions["readBody"];
  jobs: Job[];
  next: number;
  finished: number;
  onRendered: (index: number, output: RenderOutput) => void;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Render workers with these settings, started when first needed. `entry` is the worker's code,
 * for tests; by default render-worker.ts (or .mjs) beside this module.
 */
export function openRenderPool(sanitize: SanitizeSettings, count: number, entry = workerEntry("render", import.meta.url)): RenderPool {
  if (!(Number.isSafeInteger(count) && count >= 1)) throw new Error(`a render pool needs at least one worker, got ${count}`);
  const workers: { worker: Worker; held: Set<number>; ready: boolean }[] = [];
  let session: Session | undefined;
  /** Set once a render failed or a worker died: every later render rejects with it. */
  let broken: Error | undefined;
  let closed = false;

  const fail = (error: Error) => {
    broken ??= error;
    const current = session;
    session = undefined;
    current?.reject(error);
  };
  const describeJobs = (held: ReadonlySet<number>) => {
    if (!session) return "";
    const { jobs, articles } = session;
    const files = [...held].flatMap((batch) => (jobs[batch] as Job).indices.map((index) => (articles[index] as Article).file));
    return files.length === 0 ? "" : ` while rendering ${files[0]}${files.length > 1 ? ` or one of ${files.length - 1} articles after it` : ""}`;
  };
  const send = (entry: (typeof workers)[number]) => {
    const current = session;
    while (current && session === current && entry.held.size < BATCHES_IN_FLIGHT && current.next < current.jobs.length) {
      const batch = current.next++;
      entry.held.add(batch);
      // Bodies are read as their batch is sent, so only the batches in flight are held
      // (issue 7: 50,000 bodies read ahead were 800 MB of strings). A read that fails (the
      // file changed since its digest was taken) ends the render with its own error.
      Promise.all((current.jobs[batch] as Job).indices.map((index) => inputOf(current.articles[index] as Article, current.readBody))).then(
        (items) => {
          if (session === current) entry.worker.postMessage({ batch, items } satisfies RenderBatch);
        },
        (error: unknown) => {
          if (session === current) fail(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
  };
  /** Start `wanted` workers (at most `count`), unless they are started or the pool is closed. */
  const startWorkers = (wanted: number) => {
    if (workers.length > 0 || closed) return;
    const { filename, eval: isScript } = entry;
    for (let n = 0; n < Math.min(count, Math.max(1, wanted)); n++) {
      const entry = { worker: new Worker(filename, { eval: isScript, workerData: { sanitize } satisfies RenderWorkerData }), held: new Set<number>(), ready: false };
      workers.push(entry);
      entry.worker.on("message", (message: RenderWorkerMessage) => {
        if (message.kind === "ready") {
          entry.ready = true;
          return;
        }
        const current = session;
        if (!current) return;
        const job = current.jobs[message.batch] as Job;
        if (message.kind === "failed") {
          const index = job.indices[message.index] as number;
          const cause = Object.assign(new Error(message.error.message), { name: message.error.name, stack: message.error.stack });
          fail(renderFailure((current.articles[index] as Article).file, cause));
          return;
        }
        entry.held.delete(message.batch);
        message.results.forEach((output, position) => current.onRendered(job.indices[position] as number, output));
        current.finished++;
        if (current.finished === current.jobs.length) {
          session = undefined;
          current.resolve();
        } else send(entry);
      });
      entry.worker.on("error", (error) => {
        fail(
          entry.ready
            ? new Error(`a render worker failed${describeJobs(entry.held)}: ${error.message}`, { cause: error })
            : new Error(`could not start a render worker: ${error.message}`, { cause: error }),
        );
      });
      entry.worker.on("exit", (code) => {
        if (!closed) fail(new Error(`a render worker stopped (exit code ${code})${describeJobs(entry.held)}`));
      });
    }
  };
  return {
    get size() {
      return workers.length;
    },
    get started() {
      return workers.length > 0;
    },
    start: () => startWorkers(count),
    render(articles, readBody, misses, onRendered) {
      if (closed) return Promise.reject(new Error("the render workers were stopped"));
      if (broken) return Promise.reject(broken);
      if (session) return Promise.reject(new Error("a render pool renders one set of articles at a time"));
      if (misses.length === 0) return Promise.resolve();
      // Started here: no more workers than articles.
      startWorkers(misses.length);
      const size = Math.max(1, Math.min(MAX_BATCH, Math.ceil(misses.length / (workers.length * 8))));
      const jobs: Job[] = [];
      for (let at = 0; at < misses.length; at += size) jobs.push({ indices: misses.slice(at, at + size) });
      return new Promise<void>((resolve, reject) => {
        session = { articles, readBody, jobs, next: 0, finished: 0, onRendered, resolve, reject };
        for (const entry of workers) send(entry);
      });
    },
    async close() {
      closed = true;
      if (session) fail(new Error("the render workers were stopped"));
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}

/** A number of worker threads given as an option (`name`): a whole number of 0 or more, or undefined. */
export function checkWorkerCount(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new WirefeedError("USAGE", `${name}: expected a whole number of 0 or more, got ${value}`);
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
  const { cache, sanitize, onProgress, onArticle } = options;
  checkWorkerCount(options.workers, "workers");
  const total = articles.length;
  const window = options.streamWindow ?? STREAM_WINDOW;
  if (onArticle && cache && total > window) {
    // A window at a time: each window's hits are read, its misses rendered, and all handed over
    // before the next window's hits are read (issue 7).
    for (let start = 0; start < total; start += window) {
      await renderArticles(articles.slice(start, start + window), {
        ...options,
        onArticle: (article, index) => onArticle(article, start + index),
        ...(onProgress ? { onProgress: (done: number) => onProgress(start + done, total) } : {}),
      });
    }
    return [];
  }
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

  // In order, to onArticle: the next article to hand over, and the first error it threw.
  let handed = 0;
  let handOverFailure: { error: unknown } | undefined;
  const handOver = () => {
    const { onArticle } = options;
    if (!onArticle) return;
    while (handed < total && outputs[handed] !== undefined && handOverFailure === undefined) {
      const { html, text } = outputs[handed] as RenderOutput;
      outputs[handed] = HANDED_OVER;
      try {
        onArticle({ ...(articles[handed] as Article), html, text }, handed);
      } catch (error) {
        handOverFailure = { error };
      }
      handed++;
    }
  };
  const onRendered = (index: number, output: RenderOutput) => {
    // After onArticle failed, nothing more is handed over: what is still rendered is not kept.
    if (handOverFailure === undefined) outputs[index] = output;
    cache?.write(keys[index] as string, output);
    onProgress?.(++done, total);
    handOver();
  };
  // Hits at the front go now, the rest as the articles before them render.
  handOver();
  const cores = availableParallelism();
  const wanted = options.workers ?? (misses.length >= WORKER_THRESHOLD && cores > 1 ? cores : 0);
  const count = Math.min(wanted, misses.length);
  const { pool } = options;
  try {
    // The caller's workers once they are started, since they cost nothing more to use.
    if (pool && misses.length > 0 && options.workers !== 0 && (pool.started || count > 0)) await pool.render(articles, options.readBody, misses, onRendered);
    else if (count > 0) {
      const own = openRenderPool(sanitize, count);
      try {
        await own.render(articles, options.readBody, misses, onRendered);
      } finally {
        await own.close();
      }
    } else if (misses.length > 0) {
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
  if (options.onArticle) {
    handOver();
    if (handOverFailure) throw handOverFailure.error;
    if (handed !== total) throw new Error(`rendered ${handed} of ${total} articles in order`);
    return [];
  }
  return articles.map((article, index) => {
    const { html, text } = outputs[index] as RenderOutput;
    return { ...article, html, text };
  });
}
