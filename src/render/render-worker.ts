/**
 * A render worker thread (started by render-articles.ts): renders batches of article bodies with
 * the same code as the main thread and sends back each batch's HTML and text, in order.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type RenderBatch, type RenderOutput, type RenderWorkerData, type RenderWorkerMessage } from "./render-articles.ts";
import { createBodyRenderer } from "./render-article.ts";

const port = parentPort;
if (!port) throw new Error("render-worker runs only as a worker thread started by renderArticles");
const render = createBodyRenderer((workerData as RenderWorkerData).sanitize);

port.on("message", ({ batch, items }: RenderBatch) => {
  const results: RenderOutput[] = [];
  for (let index = 0; index < items.length; index++) {
    try {
      results.push(render(items[index] as RenderBatch["items"][number]));
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      const message: RenderWorkerMessage = { kind: "failed", batch, index, error: { name: error.name, message: error.message, stack: error.stack } };
      port.postMessage(message);
      return;
    }
  }
  port.postMessage({ kind: "done", batch, results } satisfies RenderWorkerMessage);
});
port.postMessage({ kind: "ready" } satisfies RenderWorkerMessage);
