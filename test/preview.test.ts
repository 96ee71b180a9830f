import { request } from "node:http";
import { rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WirefeedError } from "../src/errors.ts";
import type { BuildOptions } from "../src/pipeline.ts";
import { injectLiveReload, extendContentSecurityPolicy } from "../src/preview/inject-live-reload.ts";
import { resolveRequestPath } from "../src/preview/resolve-request-path.ts";
import { type PreviewEvent, type PreviewHandle, startPreview } from "../src/preview/start-preview.ts";
import { BASE_CONFIG, FIXED_NOW, article, makeTempSite } from "./helpers.ts";

const SAMPLE = {
  "articles/2025-05-03-first.md": article({ title: "First story", date: "2025-05-03", summary: "A first story.", tags: ["Mexico"] }),
};

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path exactly as given: fetch() would normalise `..` away. */
function rawRequest(port: number, target: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: target, method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Listen to the live-reload stream; `next(name)` waits for the next event of that name. */
function listenToEvents(port: number) {
  const seen: { event: string; data: string }[] = [];
  const waiters: { name: string; resolve: (data: string) => void }[] = [];
  let buffer = "";
  const req = request({ host: "127.0.0.1", port, path: "/__wirefeed/events" }, (res) => {
    res.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) {
          const waiter = waiters.findIndex((candidate) => candidate.name === event);
          if (waiter !== -1) waiters.splice(waiter, 1)[0]?.resolve(data);
          else seen.push({ event, data });
        }
        end = buffer.indexOf("\n\n");
      }
    });
    res.on("error", () => undefined);
  });
  req.on("error", () => undefined);
  req.end();
  return {
    next: (name: string) =>
      new Promise<string>((resolve) => {
        const index = seen.findIndex((entry) => entry.event === name);
        if (index !== -1) resolve((seen.splice(index, 1)[0] as { data: string }).data);
        else waiters.push({ name, resolve });
      }),
    close: () => req.destroy(),
  };
}

const open: PreviewHandle[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((handle) => handle.close()));
});

async function preview(files: Record<string, string>, config = {}, options: Partial<BuildOptions> = {}) {
  const dir = await makeTempSite(files, config);
  const events: PreviewEvent[] = [];
  const waiters: ((event: PreviewEvent) => void)[] = [];
  const handle = await startPreview({
    build: { cwd: dir, now: new Date(FIXED_NOW), ...options },
    port: 0,
    debounceMs: 50,
    onEvent: (event) => {
      events.push(event);
      for (const waiter of waiters.splice(0)) waiter(event);
    },
  });
  open.push(handle);
  const nextEvent = () => new Promise<PreviewEvent>((resolve) => waiters.push(resolve));
  const get = (target: string, options?: Parameters<typeof rawRequest>[2]) => rawRequest(handle.port, target, options);
  return { dir, handle, events, nextEvent, get };
}

describe("preview: serving dist/", () => {
  it("listens on 127.0.0.1 only and serves each feed with its media type", async () => {
    const { handle, get } = await preview(SAMPLE);
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await get("/rss.xml")).headers["content-type"]).toBe("application/rss+xml; charset=utf-8");
    expect((await get("/atom.xml")).headers["content-type"]).toBe("application/atom+xml; charset=utf-8");
    const json = await get("/feed.json");
    expect(json.headers["content-type"]).toBe("application/feed+json; charset=utf-8");
    expect(JSON.parse(json.body).items[0].title).toBe("First story");
    expect((await get("/")).headers["content-type"]).toBe("text/html; charset=utf-8");
    expect((await get("/nothing.xml")).status).toBe(404);
  });

  it("sends ETag and Last-Modified, and 304 on a conditional repeat", async () => {
    const { get } = await preview(SAMPLE);
    const first = await get("/feed.json");
    const etag = first.headers.etag as string;
    const modified = first.headers["last-modified"] as string;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(new Date(modified).getTime()).not.toBeNaN();
    expect(first.headers["cache-control"]).toBe("no-cache");

    const byTag = await get("/feed.json", { headers: { "If-None-Match": etag } });
    expect(byTag.status).toBe(304);
    expect(byTag.body).toBe("");
    expect(byTag.headers.etag).toBe(etag);
    expect((await get("/feed.json", { headers: { "If-Modified-Since": modified } })).status).toBe(304);
    expect((await get("/feed.json", { headers: { "If-None-Match": '"other"' } })).status).toBe(200);
    expect((await get("/feed.json", { headers: { "If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT" } })).status).toBe(200);
    const index = await get("/__wirefeed/");
    expect((await get("/__wirefeed/", { headers: { "If-None-Match": index.headers.etag as string } })).status).toBe(304);

    const head = await get("/feed.json", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(Number(head.headers["content-length"])).toBe(Buffer.byteLength(first.body));
    expect((await get("/feed.json", { method: "POST" })).status).toBe(405);
  });

  it.each([
    "/../wirefeed.config.ts",
    "/../../../../etc/passwd",
    "/%2e%2e/wirefeed.config.ts",
    "/%2E%2E%2Fwirefeed.config.ts",
    "/..%2fwirefeed.config.ts",
    "/tags/..%5c..%5cwirefeed.config.ts",
    "/..\\wirefeed.config.ts",
    "/%2fetc%2fpasswd",
    "/%00",
    "/C:/Windows/win.ini",
    "http://127.0.0.1/../wirefeed.config.ts",
    "*",
  ])("refuses %s with 400", async (target) => {
    const { get } = await preview(SAMPLE);
    const response = await get(target);
    expect(response.status).toBe(400);
    expect(response.body).not.toContain("export default");
    expect(response.body).not.toContain("root:");
  });

  it("keeps absolute paths inside dist/ and does not follow a symbolic link out of it", async () => {
    const { dir, get } = await preview(SAMPLE);
    for (const target of ["/etc/passwd", "//etc/passwd", `/${path.join(dir, "wirefeed.config.ts")}`]) {
      const response = await get(target);
      expect(response.status).toBe(404);
      expect(response.body).not.toContain("export default");
    }
    await symlink(path.join(dir, "wirefeed.config.ts"), path.join(dir, "dist/config-link.ts"));
    const linked = await get("/config-link.ts");
    expect(linked.status).toBe(404);
    expect(linked.body).not.toContain("export default");
  });

  it("resolves request paths without leaving the folder", () => {
    expect(resolveRequestPath("/srv/dist", "/tags/m%C3%A9xico/rss.xml?x=1")).toEqual({ ok: true, file: "/srv/dist/tags/méxico/rss.xml" });
    expect(resolveRequestPath("/srv/dist", "/")).toEqual({ ok: true, file: "/srv/dist" });
    expect(resolveRequestPath("/srv/dist", "/a/%2e/b")).toMatchObject({ ok: false, status: 400 });
    expect(resolveRequestPath("/srv/dist", "/%E0%A4%A")).toMatchObject({ ok: false, status: 400 });
  });
});

describe("preview: the index page and live reload", () => {
  it("lists the feeds and the articles of the build, with the live-reload script", async () => {
    const { get } = await preview(SAMPLE);
    const page = (await get("/__wirefeed/")).body;
    expect(page).toContain("First story");
    expect(page).toContain("tag:example.com,2025:2025-05-03/first");
    expect(page).toContain('<a href="/rss.xml">RSS 2.0</a>');
    expect(page).toContain('<a href="/atom.xml">Atom 1.0</a>');
    expect(page).toContain('<a href="/feed.json">JSON Feed 1.1</a>');
    expect(page).toContain('new EventSource("/__wirefeed/events")');
    const root = (await get("/")).body;
    expect(root).toContain("First story");
    expect(root).toContain('new EventSource("/__wirefeed/events")');
  });

  it("rebuilds when an article changes and tells the open page through Server-Sent Events", async () => {
    const { dir, get, handle, nextEvent } = await preview(SAMPLE);
    const stream = listenToEvents(handle.port);
    try {
      expect(await stream.next("hello")).toBe(String(handle.buildCount));
      const built = nextEvent();
      await writeFile(path.join(dir, "articles/2025-05-03-first.md"), article({ title: "First story, rewritten", date: "2025-05-03" }));
      const event = await built;
      expect(event).toMatchObject({ type: "built", changed: ["articles/2025-05-03-first.md"] });
      expect(await stream.next("build")).toBe(String(handle.buildCount));
      expect(JSON.parse((await get("/feed.json")).body).items[0].title).toBe("First story, rewritten");
      expect((await get("/__wirefeed/")).body).toContain("First story, rewritten");
      expect((await get("/")).body).toContain("First story, rewritten");
    } finally {
      stream.close();
    }
  });

  it("rebuilds after dist/ was removed behind its back, when the main feed was written as its items rendered", async () => {
    // Every feed streamed (issue 7): the last build's JSON Feed is not held, only read back from
    // its file, which is gone; the rebuild must still happen, with nothing to compare against.
    const { dir, handle, events, get } = await preview(SAMPLE, { feeds: { tags: false, sections: false } }, { streamItems: 1 });
    // Not vacuous: the main feed was streamed, so its model holds no HTML.
    expect(events[0]).toMatchObject({ type: "built", result: { model: { items: [{ html: "" }] } } });
    await rm(path.join(dir, "dist"), { recursive: true });
    await handle.rebuild();
    expect(events.at(-1)).toMatchObject({ type: "built", previousFeed: undefined });
    expect(JSON.parse((await get("/feed.json")).body).items[0].title).toBe("First story");
  });

  it("shows a bad article's error on the page and keeps serving the last good build", async () => {
    const { dir, get, handle, nextEvent } = await preview(SAMPLE);
    const goodFeed = (await get("/feed.json")).body;
    const stream = listenToEvents(handle.port);
    try {
      await stream.next("hello");
      const failed = nextEvent();
      await writeFile(path.join(dir, "articles/bad.md"), "---\ntitle: Bad\ndate: next tuesday\n---\n\nText.\n");
      const event = await failed;
      expect(event).toMatchObject({ type: "failed", keptLastGood: true, changed: ["articles/bad.md"] });
      expect(event.type === "failed" && event.message).toContain("articles/bad.md:3: date: expected a date like 2025-05-03");
      await stream.next("build");

      expect((await get("/feed.json")).body).toBe(goodFeed);
      const dashboard = (await get("/__wirefeed/")).body;
      expect(dashboard).toContain("The last change did not build");
      expect(dashboard).toContain("articles/bad.md:3: date: expected a date like 2025-05-03");
      expect(dashboard).toContain("First story");
      const root = (await get("/")).body;
      expect(root).toContain('role="alert"');
      expect(root).toContain("articles/bad.md:3: date: expected a date like 2025-05-03");

      const fixed = nextEvent();
      await rm(path.join(dir, "articles/bad.md"));
      expect(await fixed).toMatchObject({ type: "built" });
      await stream.next("build");
      expect((await get("/__wirefeed/")).body).not.toContain("The last change did not build");
    } finally {
      stream.close();
    }
  });

  it("rebuilds when the config file changes", async () => {
    const { dir, nextEvent } = await preview(SAMPLE);
    const built = nextEvent();
    await writeFile(path.join(dir, "wirefeed.config.ts"), `export default ${JSON.stringify({ ...BASE_CONFIG, title: "Renamed Site" })};\n`);
    expect(await built).toMatchObject({ type: "built", changed: ["wirefeed.config.ts"] });
  });

  it("shows the edited config after the rebuild", async () => {
    const { dir, get, nextEvent } = await preview(SAMPLE);
    const built = nextEvent();
    await writeFile(path.join(dir, "wirefeed.config.ts"), `export default ${JSON.stringify({ ...BASE_CONFIG, title: "Renamed Site" })};\n`);
    await built;
    expect(JSON.parse((await get("/feed.json")).body).title).toBe("Renamed Site");
  });

  it("starts with a content error: the error is on the page, and preview keeps running", async () => {
    const events: PreviewEvent[] = [];
    const dir = await makeTempSite({ ...SAMPLE, "articles/bad.md": "---\ntitle: Bad\n---\n\nText.\n" });
    const handle = await startPreview({ build: { cwd: dir, now: new Date(FIXED_NOW) }, port: 0, onEvent: (event) => events.push(event) });
    open.push(handle);
    expect(events).toEqual([expect.objectContaining({ type: "failed", keptLastGood: false })]);
    const page = await rawRequest(handle.port, "/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("articles/bad.md:1: date: required");
    expect((await rawRequest(handle.port, "/feed.json")).status).toBe(404);
  });

  it("refuses to start on a broken config, and close() stops everything", async () => {
    const dir = await makeTempSite(SAMPLE, { timeZone: "Mars/Base" });
    await expect(startPreview({ build: { cwd: dir }, port: 0 })).rejects.toBeInstanceOf(WirefeedError);

    const { handle } = await preview(SAMPLE);
    const stream = listenToEvents(handle.port);
    await stream.next("hello");
    await handle.close();
    await handle.closed;
    await handle.close();
    await expect(rawRequest(handle.port, "/")).rejects.toThrow();
    stream.close();
  });

  it("lets its script through the page's Content-Security-Policy", () => {
    const policy = extendContentSecurityPolicy("default-src 'none'; script-src 'sha256-AAA='; style-src 'sha256-BBB='", { script: "x()", style: "a{}" });
    expect(policy).toMatch(/^default-src 'none'; script-src 'sha256-AAA=' 'sha256-[\w+/=]+'; style-src 'sha256-BBB=' 'sha256-[\w+/=]+'; connect-src 'self'$/);
    const html = injectLiveReload(
      `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body class="x"><p>Hi</p></body></html>`,
      3,
      "articles/a.md:1: title: required",
    );
    expect(html).toMatch(/content="default-src &#39;none&#39;; script-src &#39;sha256-[^"]+; connect-src &#39;self&#39;"/);
    expect(html).toMatch(/<body class="x"><style>[^<]+<\/style><pre class="wirefeed-preview-error" role="alert">The last change did not build/);
    expect(html).toMatch(/const shown = "3";[\s\S]*<\/script><\/body>/);
  });
});

