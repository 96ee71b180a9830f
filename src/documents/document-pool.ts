/**
 * Worker threads that make feed documents (issue 7): a build with hundreds of small documents
 * (tag, section and archive feeds) spent most of its time making them one after another on the
 * main thread while the cores the render workers had used stood idle. A job is one feed: its
 * model goes to a worker, which makes, gates and encodes the feed's RSS, Atom and JSON Feed with
 * the code the main thread uses (generate-document.ts) and transfers back their bytes.
 */
import { Worker } from "node:worker_threads";
import { type ErrorCode, WirefeedError } from "../errors.ts";
import type { FeedModel, FormatKey } from "../model/types.ts";
import { workerEntry } from "../worker-entry.ts";

/** Main thread → worker. */
export interface DocumentJob {
  id: number;
  model: FeedModel;
  paths: Record<FormatKey, string>;
}

/** An error as it crosses from a worker: a WirefeedError keeps its code and where it points. */
export interface SentError {
  name: string;
  message: string;
  stack: string | undefined;
  wirefeed?: { code: ErrorCode; file: string | undefined; line: number | undefined; field: string | undefined; hint: string | undefined };
}

/** Worker → main thread: the feed's documents in FORMATS order, or why they could not be made. */
export type DocumentWorkerMessage =
  | { kind: "done"; id: number; documents: Uint8Array[] }
  | { kind: "failed"; id: number; error: SentError };

/** Jobs each worker holds at once, so it never waits for the main thread between two. */
const JOBS_IN_FLIGHT = 2;

export function sendableError(caught: unknown): SentError {
  const error = caught instanceof Error ? caught : new Error(String(caught));
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error instanceof WirefeedError
      ? { wirefeed: { code: error.code, file: error.file, line: error.line, field: error.field, hint: error.hint } }
      : {}),
  };
}

/** The error a worker sent, as it was thrown there (a WirefeedError with the same code, message and place). */
export function receivedError(sent: SentError): Error {
  if (sent.wirefeed) {
    const { code, file, line, field, hint } = sent.wirefeed;
    return new WirefeedError(code, sent.message, {
      ...(file === undefined ? {} : { file }),
      ...(line === undefined ? {} : { line }),
      ...(field === undefined ? {} : { field }),
      ...(hint === undefined ? {} : { hint }),
    });
  }
  return Object.assign(new Error(sent.message), { name: sent.name, stack: sent.stack });
}

export interface DocumentPool {
  /** Whether some worker would take one more job now, without waiting. */
  hasRoom(): boolean;
  /** The feed's documents in FORMATS order, made, gated and encoded on a worker. */
  generate(model: FeedModel, paths: Record<FormatKey, string>): Promise<Uint8Array[]>;
  /** Stop the workers; a job still running rejects. */
  close(): Promise<void>;
}

/**
 * Start `count` document workers (at least one). `entry` is the worker's code, for tests; by
 * default document-worker.ts (or .mjs) beside this module.
 */
export function openDocumentPool(count: number, entry = workerEntry("document", import.meta.url)): DocumentPool {
  let nextId = 0;
  /**
   * Set once a worker failed, exited on its own or the pool was closed: every job still held and
   * every later one rejects with it. A dead worker is never sent a job that would never settle.
   */
  let broken: Error | undefined;
  const workers = Array.from({ length: Math.max(1, count) }, () => {
    const worker = new Worker(entry.filename, { eval: entry.eval });
    const held = new Map<number, { resolve: (documents: Uint8Array[]) => void; reject: (error: Error) => void }>();
    worker.on("message", (message: DocumentWorkerMessage) => {
      const job = held.get(message.id);
      if (!job) return;
      held.delete(message.id);
      if (message.kind === "done") job.resolve(message.documents);
      else job.reject(receivedError(message.error));
    });
    worker.on("error", (error) => breakPool(new Error(`a document worker failed: ${error.message}`, { cause: error })));
    worker.on("exit", (code) => breakPool(new Error(`a document worker stopped (exit code ${code})`)));
    return { worker, held };
  });
  function breakPool(error: Error): void {
    broken ??= error;
    for (const { held } of workers) {
      for (const job of held.values()) job.reject(broken);
      held.clear();
    }
  }
  return {
    // A broken pool takes the job, to reject it at once.
    hasRoom: () => broken !== undefined || workers.some(({ held }) => held.size < JOBS_IN_FLIGHT),
    generate(model, paths) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      const least = workers.reduce((best, entry) => (entry.held.size < best.held.size ? entry : best));
      return new Promise<Uint8Array[]>((resolve, reject) => {
        least.held.set(id, { resolve, reject });
        least.worker.postMessage({ id, model, paths } satisfies DocumentJob);
      });
    },
    async close() {
      breakPool(new Error("the document workers were stopped"));
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}
