/**
 * A document worker thread (started by document-pool.ts): makes, gates and encodes each feed it
 * is sent with generate-document.ts, as the main thread would, and transfers back the bytes.
 */
import { parentPort } from "node:worker_threads";
import { type DocumentJob, type DocumentWorkerMessage, sendableError } from "./document-pool.ts";
import { generateEncodedDocuments } from "./generate-document.ts";

const port = parentPort;
if (!port) throw new Error("document-worker runs only as a worker thread started by openDocumentPool");

port.on("message", ({ id, model, paths }: DocumentJob) => {
  let message: DocumentWorkerMessage;
  try {
    message = { kind: "done", id, documents: generateEncodedDocuments(model, paths) };
  } catch (caught) {
    port.postMessage({ kind: "failed", id, error: sendableError(caught) } satisfies DocumentWorkerMessage);
    return;
  }
  port.postMessage(message, message.documents.map((document) => document.buffer as ArrayBuffer));
});
