import { cp, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { WirefeedError } from "../src/errors.ts";
import { build } from "../src/pipeline.ts";
import { FIXED_NOW, article, makeTempDir, makeTempSite } from "./helpers.ts";

/**
 * Issue 7: without the cache, nothing needs a body's digest before the article is rendered, so the
 * bodies are read while the first articles render on the workers. Every body is still checked
 * before anything is modelled or staged.
 */

const reads = vi.hoisted(() => ({ count: 0, holdAt: Number.POSITIVE_INFINITY, release: Promise.resolve(), delayMs: 0 }));

vi.mock("../src/content/load.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/content/load.ts")>();
  return {
    ...real,
    readArticleBody: async (...args: Parameters<typeof real.readArticleBody>) => {
      reads.count++;
      if (reads.count === reads.holdAt) await reads.release;
      if (reads.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, reads.delayMs));
      return real.readArticleBody(...args);
    },
  };
});

const COUNT = 200;

/** Articles over 2 KB, so the loader reads only their heads and the bodies are read after planning. */
function longArticles(bad: readonly number[] = []): Record<string, string | Buffer> {
  return Object.fromEntries(
    Array.from({ length: COUNT }, (_, i) => {
      const text = article({ title: `Long ${i}`, date: `2025-05-01T10:${String(i % 60).padStart(2, "0")}:${String(Math.floor(i / 60)).padStart(2, "0")}Z` }, `Para ${i} “quoted”.\n\n${"Text é. ".repeat(400)}\n`);
      // A byte that is not UTF-8 at the end of the body, well past the head.
      const contents = bad.includes(i) ? Buffer.concat([Buffer.from(text), Buffer.from([0xe9, 0x0a])]) : text;
      return [`articles/long-${String(i).padStart(3, "0")}.md`, contents];
    }),
  );
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: Record<string, string> = {};
  for (const entry of entries) {
    if (entry.isFile()) out[path.relative(dir, path.join(entry.parentPath, entry.name))] = await readFile(path.join(entry.parentPath, entry.name), "utf8");
  }
  return out;
}

describe("reading bodies while the first articles render (issue 7)", () => {
  it("renders before every body is read, and writes the bytes of a build that read them all first", async () => {
    const dir = await makeTempSite(longArticles(), { limit: COUNT });
    const cached = await makeTempDir("wirefeed-cached-");
    await cp(dir, cached, { recursive: true });
    const now = new Date(FIXED_NOW);

    // The 100th body read waits for the first rendered article (or 5 s): a build that read every
    // body before rendering would reach the first render with all 200 read.
    let releaseReads = () => {};
    reads.count = 0;
    reads.holdAt = 100;
    reads.release = new Promise<void>((resolve) => {
      releaseReads = resolve;
      setTimeout(resolve, 5000).unref();
    });
    let readsAtFirstRender: number | undefined;
    await build({
      cwd: dir,
      now,
      cache: false,
      renderWorkers: 2,
      onProgress: () => {
        readsAtFirstRender ??= reads.count;
        releaseReads();
      },
    });
    reads.holdAt = Number.POSITIVE_INFINITY;
    expect(readsAtFirstRender).toBeDefined();
    expect(readsAtFirstRender).toBeLessThan(COUNT);

    // With the cache, every body is read (and digested) before the first render.
    await build({ cwd: cached, now, renderWorkers: 2 });
    const bytes = await snapshot(path.join(dir, "dist"));
    expect(await snapshot(path.join(cached, "dist"))).toEqual(bytes);
    for (const i of [0, 99, 199]) expect(bytes["feed.json"]).toContain(`Para ${i} “quoted”.`);
  });

  it("still reports every bad body, and leaves the output folder as it was", async () => {
    const dir = await makeTempSite(longArticles([3, 190]), { limit: COUNT });
    await mkdir(path.join(dir, "dist"));
    await writeFile(path.join(dir, "dist", "rss.xml"), "published before\n");
    const failure = await build({ cwd: dir, now: new Date(FIXED_NOW), cache: false, renderWorkers: 2 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WirefeedError);
    const error = failure as WirefeedError;
    expect(error.code).toBe("CONTENT_INVALID");
    const named = error.diagnostics.filter((diagnostic) => diagnostic.severity === "error").map((diagnostic) => diagnostic.file);
    expect(named).toEqual(["articles/long-003.md", "articles/long-190.md"]);
    expect(await snapshot(path.join(dir, "dist"))).toEqual({ "rss.xml": "published before\n" });
  });

  // Found in review: marked overflows its stack on 5,000 nested quotes, a real render failure.
  const filler = `\n\n${"Filler text. ".repeat(300)}\n`;
  const deep = article({ title: "Deep", date: "2025-06-01" }, `${">".repeat(5000)} x${filler}`);
  const bad = Buffer.concat([Buffer.from(article({ title: "Bad", date: "2025-01-01" }, `Bad body${filler}`)), Buffer.from([0xe9, 0x0a])]);

  for (const cache of [true, false]) {
    it(`reports a bad body, not a render failure that came first (cache ${cache ? "on" : "off"})`, async () => {
      // The newest article fails to render in the first batch; the bad body is the oldest one's.
      const dir = await makeTempSite({ "articles/deep.md": deep, "articles/bad.md": bad }, { limit: 1, archive: true, archivePageSize: 1 });
      const failure = await build({ cwd: dir, now: new Date(FIXED_NOW), cache, batchArticles: 1, renderWorkers: 0 }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: "CONTENT_INVALID" });
      expect((failure as WirefeedError).diagnostics.map((diagnostic) => diagnostic.file)).toEqual(["articles/bad.md"]);
    });
  }

  it("reads no body after the build has failed", async () => {
    const files: Record<string, string | Buffer> = { "articles/a-deep.md": deep };
    for (let i = 0; i < 60; i++) files[`articles/long-${String(i).padStart(3, "0")}.md`] = article({ title: `L${i}`, date: "2025-01-01", tags: ["t"] }, `Body ${i}${filler}`);
    const dir = await makeTempSite(files, { limit: 1, archive: true, archivePageSize: 1 });
    reads.count = 0;
    reads.delayMs = 2;
    try {
      const failure = await build({ cwd: dir, now: new Date(FIXED_NOW), cache: false, batchArticles: 1, renderWorkers: 0 }).catch((error: unknown) => error);
      expect((failure as Error).message).toMatch(/a-deep\.md: could not render the article/);
      expect(reads.count).toBe(61);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(reads.count).toBe(61);
    } finally {
      reads.delayMs = 0;
    }
  });
});
