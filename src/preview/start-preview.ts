import { createHash } from "node:crypto";
import { type FSWatcher, existsSync, watch } from "node:fs";
import { readFile, realpath, stat } from "node:fs/promises";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type LoadedConfig, loadConfig } from "../config/load.ts";
import { WirefeedError, formatError } from "../errors.ts";
import type { FormatKey } from "../model/types.ts";
import { type BuildOptions, type BuildResult, build } from "../pipeline.ts";
import { lookUpMediaType } from "./media-types.ts";
import { injectLiveReload } from "./inject-live-reload.ts";
import { DASHBOARD_PATH, EVENTS_PATH, renderIndexPage } from "./render-index-page.ts";
import { resolveRequestPath } from "./resolve-request-path.ts";

/** The only address preview ever listens on: the feeds are for this machine's browser. */
export const PREVIEW_HOST = "127.0.0.1";
export const DEFAULT_PREVIEW_PORT = 8080;

export interface PreviewOptions {
  /** What to build: cwd, config, overrides, now, drafts, future. `write` is always true. */
  build: BuildOptions;
  /** Port on 127.0.0.1; 0 picks a free one. Default 8080. */
  port?: number;
  /** Quiet time after the last file change before rebuilding, in ms. Default 100. */
  debounceMs?: number;
  /** Told about every build; the CLI prints these. Must not throw. */
  onEvent?: (event: PreviewEvent) => void;
}

export type PreviewEvent =
  | {
      type: "built";
      result: BuildResult;
      /** The main JSON Feed as it was before this build, to tell what changed. */
      previousFeed: string | undefined;
      durationMs: number;
      /** Files whose change started the build; empty for the first build. */
      changed: string[];
    }
  | { type: "failed"; error: unknown; message: string; changed: string[]; keptLastGood: boolean };

export interface PreviewHandle {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  port: number;
  /** Stop watching, end live-reload connections and close the server. */
  close: () => Promise<void>;
  /** Settles when the server has closed. */
  closed: Promise<void>;
  /** Build now, as a file change would. */
  rebuild: () => Promise<void>;
  /** Build attempts so far (the page's build number). */
  readonly buildCount: number;
}

/** Files an editor writes next to the real one while saving; they are not changes to the site. */
function isEditorNoise(name: string): boolean {
  const base = path.basename(name);
  return base.startsWith(".") || base.endsWith("~") || /\.(swp|swx|tmp)$/.test(base) || /^\d+$/.test(base);
}

/**
 * Build, then serve the output folder on 127.0.0.1 with a live-reloading index page, and rebuild
 * when an article or the config changes. A failed rebuild keeps the last good files served and
 * shows the error on the page. Resolves once the server listens.
 */
export async function startPreview(options: PreviewOptions): Promise<PreviewHandle> {
  const buildOptions: BuildOptions = { ...options.build, write: true };
  const cwd = path.resolve(buildOptions.cwd ?? ".");
  const loaded: LoadedConfig = await loadConfig(cwd, {
    ...(buildOptions.configPath ? { configPath: buildOptions.configPath } : {}),
    ...(buildOptions.overrides ? { overrides: buildOptions.overrides } : {}),
  });
  const emit = (event: PreviewEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A printing problem must not stop the server.
    }
  };

  let buildCount = 0;
  let lastGood: { result: BuildResult; builtAt: Date } | undefined;
  let lastError: string | undefined;
  const clients = new Set<ServerResponse>();
  const outDir = () => lastGood?.result.outDir ?? path.resolve(loaded.root, loaded.config.outDir);
  const feedFiles = (): Record<FormatKey, string> => (lastGood?.result.loaded.config ?? loaded.config).files;

  const announce = () => {
    for (const client of clients) client.write(`event: build\ndata: ${buildCount}\n\n`);
  };

  /**
   * The last good build's main JSON Feed. A feed written as its items rendered is not held but
   * read back from its file, which throws once the file changed or is gone: then the previous feed
   * is what the output folder holds now, if anything.
   */
  const heldFeed = (): string | undefined => {
    try {
      return lastGood?.result.files.find((file) => file.path === feedFiles().json)?.contents;
    } catch {
      return undefined;
    }
  };

  const runBuild = async (changed: string[], force: boolean): Promise<void> => {
    const previousFeed = heldFeed() ?? (await readFile(path.join(outDir(), feedFiles().json), "utf8").catch(() => undefined));
    const started = Date.now();
    // An edited config is loaded afresh by the pipeline: its module URL carries a digest of the file.
    const attempt: BuildOptions = { ...buildOptions };
    try {
      const result = await build({ ...attempt, generateMain: true });
      const errorCleared = lastError !== undefined;
      lastGood = { result, builtAt: new Date() };
      lastError = undefined;
      buildCount++;
      emit({ type: "built", result, previousFeed, durationMs: Date.now() - started, changed });
      // Reload the page only when what it shows changed: new files, or an error gone.
      if (result.written.length > 0 || errorCleared || force) announce();
    } catch (error) {
      const message = error instanceof WirefeedError ? formatError(error) : `${(error as Error).stack ?? String(error)}`;
      const changedError = message !== lastError;
      lastError = message;
      buildCount++;
      emit({ type: "failed", error, message, changed, keptLastGood: lastGood !== undefined });
      if (changedError) announce();
    }
  };

  // The first build: a content error still serves the previous dist/ and shows the error; a
  // config or usage error ends preview before it starts.
  const firstPrevious = await readFile(path.join(outDir(), feedFiles().json), "utf8").catch(() => undefined);
  const firstStarted = Date.now();
  try {
    const result = await build({ ...buildOptions, generateMain: true });
    lastGood = { result, builtAt: new Date() };
    buildCount++;
    emit({ type: "built", result, previousFeed: firstPrevious, durationMs: Date.now() - firstStarted, changed: [] });
  } catch (error) {
    if (!(error instanceof WirefeedError) || !["CONTENT_INVALID", "GATE_FAILED", "OUTPUT_UNWRITABLE"].includes(error.code)) throw error;
    lastError = formatError(error);
    buildCount++;
    emit({ type: "failed", error, message: lastError, changed: [], keptLastGood: false });
  }

  const server = createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      response.end(`preview failed to serve this request: ${(error as Error).message}\n`);
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" });
      response.end("only GET and HEAD\n");
      return;
    }
    const target = request.url ?? "/";
    const pathname = target.split(/[?#]/, 1)[0] as string;
    if (pathname === EVENTS_PATH) {
      response.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", Connection: "keep-alive" });
      response.write(`retry: 500\nevent: hello\ndata: ${buildCount}\n\n`);
      clients.add(response);
      request.on("close", () => clients.delete(response));
      return;
    }
    if (pathname === DASHBOARD_PATH || `${pathname}/` === DASHBOARD_PATH) {
      await sendIndexPage(request, response);
      return;
    }
    const root = outDir();
    const resolved = resolveRequestPath(root, target);
    if (!resolved.ok) {
      response.writeHead(resolved.status, { "Content-Type": "text/plain; charset=utf-8" });
      response.end(`${resolved.reason}\n`);
      return;
    }
    let file = resolved.file;
    let info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) {
      file = path.join(file, "index.html");
      info = await stat(file).catch(() => undefined);
    }
    if (!info?.isFile()) {
      if (pathname === "/" || pathname === "/index.html") {
        await sendIndexPage(request, response);
        return;
      }
      if (pathname === "/favicon.ico") {
        // Browsers ask for it on every page; a site without one is not an error worth a 404 in the console.
        response.writeHead(204);
        response.end();
        return;
      }
      response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      response.end(`not found: ${pathname}\n`);
      return;
    }
    // A symbolic link inside the folder may point outside it.
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    if (!realFile.startsWith(realRoot + path.sep)) {
      response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      response.end(`not found: ${pathname}\n`);
      return;
    }
    let body = await readFile(realFile);
    const type = lookUpMediaType(realFile, feedFiles());
    if (type.startsWith("text/html")) body = Buffer.from(injectPreview(body.toString("utf8")));
    send(request, response, { body, type, modified: info.mtime });
  }

  /** A site's own pages get the live reload and the error banner too. */
  function injectPreview(html: string): string {
    return injectLiveReload(html, buildCount, lastError);
  }

  async function sendIndexPage(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const files = feedFiles();
    const feedSizes: Partial<Record<FormatKey, number>> = {};
    for (const key of ["rss", "atom", "json"] as const) {
      const size = (await stat(path.join(outDir(), files[key])).catch(() => undefined))?.size;
      if (size !== undefined) feedSizes[key] = size;
    }
    const html = renderIndexPage({
      model: lastGood?.result.model,
      siteTitle: loaded.config.title,
      feedFiles: files,
      feedSizes,
      buildId: buildCount,
      builtAt: lastGood?.builtAt,
      error: lastError,
    });
    send(request, response, { body: Buffer.from(html), type: "text/html; charset=utf-8", modified: lastGood?.builtAt ?? new Date(0) });
  }

  const listening = new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new WirefeedError("USAGE", `port ${options.port ?? DEFAULT_PREVIEW_PORT} on ${PREVIEW_HOST} is in use`, {
              field: "--port",
              hint: "pass --port with another number, or --port 0 for any free port",
            })
          : new WirefeedError("USAGE", `cannot listen on ${PREVIEW_HOST}: ${error.message}`, { field: "--port", cause: error }),
      );
    });
    server.listen(options.port ?? DEFAULT_PREVIEW_PORT, PREVIEW_HOST, () => resolve());
  });
  await listening;
  const port = (server.address() as AddressInfo).port;

  let timer: NodeJS.Timeout | undefined;
  let pending = new Set<string>();
  let reloadConfig = false;
  let forced = false;
  let running: Promise<void> | undefined;
  const schedule = (changedFile: string, isConfig: boolean) => {
    pending.add(changedFile);
    reloadConfig ||= isConfig;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void flush(), options.debounceMs ?? 100);
  };
  const flush = async (): Promise<void> => {
    timer = undefined;
    // A build is on: run once more after it, with everything that changed meanwhile.
    while (running) await running;
    if (timer || (pending.size === 0 && !forced)) return;
    // Editors and tools save through temporary files (sed's "sedXXXXXX", vim's "4913"): a path
    // that is gone again and is no article was not a change to the site.
    const changed = [...pending].filter((file) => file.endsWith(".md") || existsSync(path.resolve(loaded.root, file)));
    if (changed.length === 0 && !forced && !reloadConfig) {
      pending = new Set();
      return;
    }
    const force = forced;
    pending = new Set();
    reloadConfig = false;
    forced = false;
    running = runBuild(changed, force).finally(() => {
      running = undefined;
    });
    await running;
  };

  const watchers: FSWatcher[] = [];
  const articlesDir = path.resolve(loaded.root, loaded.config.articlesDir);
  const configFile = path.join(loaded.root, loaded.file);
  const relative = (absolute: string) => path.relative(loaded.root, absolute).split(path.sep).join("/");
  const addWatcher = (target: string, recursive: boolean, onChange: (name: string) => void) => {
    try {
      const watcher = watch(target, { recursive }, (_event, name) => {
        if (name !== null) onChange(name.toString());
      });
      watcher.on("error", () => undefined);
      watchers.push(watcher);
    } catch {
      // The folder may not exist yet; the build already said so.
    }
  };
  addWatcher(articlesDir, true, (name) => {
    if (!isEditorNoise(name)) schedule(relative(path.join(articlesDir, name)), false);
  });
  // Watch the config's folder, not the file: editors replace a file on save, which ends a file watch.
  addWatcher(path.dirname(configFile), false, (name) => {
    if (name === path.basename(configFile)) schedule(relative(configFile), true);
  });

  const heartbeat = setInterval(() => {
    for (const client of clients) client.write(": keep-alive\n\n");
  }, 15_000);
  heartbeat.unref();

  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      if (timer) clearTimeout(timer);
      clearInterval(heartbeat);
      for (const watcher of watchers) watcher.close();
      for (const client of clients) client.end();
      clients.clear();
      await running?.catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      resolveClosed();
    })();
    return closing;
  };

  return {
    url: `http://${PREVIEW_HOST}:${port}/`,
    port,
    close,
    closed,
    rebuild: async () => {
      forced = true;
      await flush();
    },
    get buildCount() {
      return buildCount;
    },
  };

  function send(request: IncomingMessage, response: ServerResponse, file: { body: Buffer; type: string; modified: Date }): void {
    const etag = `"${createHash("sha256").update(file.body).digest("base64url").slice(0, 27)}"`;
    // HTTP dates have whole seconds; compare at that precision.
    const modified = new Date(Math.floor(file.modified.getTime() / 1000) * 1000);
    const headers = {
      "Content-Type": file.type,
      ETag: etag,
      "Last-Modified": modified.toUTCString(),
      // Revalidate every time: a preview must never show a stale feed.
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
    };
    const noneMatch = request.headers["if-none-match"];
    const modifiedSince = request.headers["if-modified-since"];
    const notModified =
      noneMatch !== undefined
        ? noneMatch.split(",").map((tag) => tag.trim().replace(/^W\//, "")).some((tag) => tag === etag || tag === "*")
        : modifiedSince !== undefined && !Number.isNaN(Date.parse(modifiedSince)) && modified.getTime() <= Date.parse(modifiedSince);
    if (notModified) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    response.writeHead(200, { ...headers, "Content-Length": file.body.length });
    response.end(request.method === "HEAD" ? undefined : file.body);
  }
}
