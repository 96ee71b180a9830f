import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The entry of worker thread `name` (a `<name>-worker.ts` beside the module at `here`, its
 * `import.meta.url`), with that module's extension: `.ts` under tsx, `.js` or `.mjs` once
 * compiled or bundled (scripts/compile-cli.mjs emits each worker as an entry point of its own
 * into the same folder). Node 20 ignores `--import tsx` in a worker's execArgv (nodejs/node#47747),
 * so under tsx the worker starts from a two-line script that registers tsx's loader first.
 */
export function workerEntry(name: string, here: string): { filename: string | URL; eval: boolean } {
  return workerScript(new URL(`./${name}-worker${path.extname(fileURLToPath(here))}`, here));
}

/** How to start a worker thread on the module at `entry`: as is, or under tsx through an eval'd script (above). */
export function workerScript(entry: URL): { filename: string | URL; eval: boolean } {
  const extension = path.extname(fileURLToPath(entry));
  if (extension !== ".ts" && extension !== ".mts") return { filename: entry, eval: false };
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve("tsx/esm/api");
  } catch {
    // No tsx: a runtime that runs .ts itself (Node 22.6+ with type stripping) loads the entry.
    return { filename: entry, eval: false };
  }
  const script = `import(${JSON.stringify(tsxApi)}).then((api) => api.register()).then(() => import(${JSON.stringify(entry.href)}));`;
  return { filename: script, eval: true };
}
