import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { build } from "../src/pipeline.ts";
import { WORKER_THRESHOLD } from "../src/render/render-articles.ts";
import { FIXED_NOW, article, makeTempSite } from "./helpers.ts";

/**
 * Issue 7: a build with nothing in the render cache (a fresh folder, or --no-cache) renders
 * every article a feed shows, so when that is WORKER_THRESHOLD articles or more it starts its
 * render workers once the feeds are planned, to load while the bodies are read; and one set of
 * workers serves every batch. Any other build starts them only when a render needs them.
 */

const events = vi.hoisted(() => ({ list: [] as string[] }));
vi.mock("../src/render/render-articles.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/render/render-articles.ts")>();
  return {
    ...actual,
    openRenderPool: (...args: Parameters<typeof actual.openRenderPool>) => {
      const pool = actual.openRenderPool(...args);
      events.list.push("open");
      return {
        get size() {
          return pool.size;
        },
        get started() {
          return pool.started;
        },
        start: () => {
          events.list.push("start");
          pool.start();
        },
        render: (...inner: Parameters<typeof pool.render>) => {
          events.list.push(`render ${inner[2].length}`);
          return pool.render(...inner);
        },
        close: async () => {
          events.list.push("close");
          await pool.close();
        },
      };
    },
  };
});

afterEach(() => {
  events.list = [];
});

function siteFiles(count: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `articles/a-${String(i).padStart(5, "0")}.md`,
      article({ title: `A ${i}`, date: `2025-01-01T00:00:00Z`, slug: `a-${i}` }, `Body ${i}.\n`),
    ]),
  );
}

describe("render workers started early (issue 7)", () => {
  it("start once the feeds are planned when the render cache is empty, and serve every batch", async () => {
    // Archives: every article is in some document; batches of at most 400 articles make four renders.
    const dir = await makeTempSite(siteFiles(WORKER_THRESHOLD), { archive: true, limit: 10, archivePageSize: 10, feeds: { tags: false, sections: false } });
    const now = new Date(FIXED_NOW);
    await build({ cwd: dir, now, cache: false, batchArticles: 400, documentWorkers: 0 });
    // Started before the first render, all batches on the same workers, stopped after the last
    // render (and once more, harmlessly, when the build ends).
    expect(events.list).toEqual(["open", "start", "render 400", "render 400", "render 400", "render 310", "close", "close"]);
  }, 60_000);

  it("wait for a render that needs them when the build index knows the articles", async () => {
    const dir = await makeTempSite(siteFiles(WORKER_THRESHOLD), { limit: 30, feeds: { tags: false, sections: false } });
    const now = new Date(FIXED_NOW);
    await build({ cwd: dir, now, documentWorkers: 0 });
    // An edit: the index knows every article, and 1 article is rendered, on this thread.
    await rm(path.join(dir, "dist", "rss.xml"));
    await writeFile(path.join(dir, "articles", "a-01499.md"), article({ title: "Edited", date: "2025-01-01T00:00:00Z", slug: "a-1499" }, "Edited.\n"));
    events.list = [];
    await build({ cwd: dir, now, documentWorkers: 0 });
    expect(events.list).toEqual(["open", "close", "close"]);
  }, 60_000);

  it("do not start when the render cache holds entries, whatever the build index knows", async () => {
    const dir = await makeTempSite(siteFiles(WORKER_THRESHOLD), { archive: true, limit: 10, archivePageSize: 10, feeds: { tags: false, sections: false } });
    const now = new Date(FIXED_NOW);
    await build({ cwd: dir, now, documentWorkers: 0 });
    // A dry run (what `check` and `ping` do) has no build index; the render cache is warm.
    events.list = [];
    await build({ cwd: dir, now, write: false, documentWorkers: 0 });
    expect(events.list).toEqual(["open", "close", "close"]);
    // A config change empties the build index (another key), but not the render cache.
    const configPath = path.join(dir, "wirefeed.config.ts");
    await writeFile(configPath, (await readFile(configPath, "utf8")).replace('"title": "', '"title": "Renamed '));
    events.list = [];
    const renamed = await build({ cwd: dir, now, documentWorkers: 0 });
    expect(renamed.written.length).toBeGreaterThan(100);
    expect(events.list).toEqual(["open", "close", "close"]);
  }, 60_000);

  it("do not start for a build that shows fewer articles than WORKER_THRESHOLD, even with --no-cache", async () => {
    const dir = await makeTempSite(siteFiles(WORKER_THRESHOLD), { limit: 30, feeds: { tags: false, sections: false } });
    await build({ cwd: dir, now: new Date(FIXED_NOW), cache: false, documentWorkers: 0 });
    // The 30 articles shown are rendered on the main thread, as without a pool.
    expect(events.list).toEqual(["open", "close", "close"]);
  }, 60_000);

  it("refuse a number of workers that is not a whole number of 0 or more", async () => {
    const dir = await makeTempSite(siteFiles(3), {});
    for (const bad of [1.5, -1, Number.POSITIVE_INFINITY]) {
      await expect(build({ cwd: dir, now: new Date(FIXED_NOW), renderWorkers: bad })).rejects.toMatchObject({
        code: "USAGE",
        message: `renderWorkers: expected a whole number of 0 or more, got ${bad}`,
      });
      await expect(build({ cwd: dir, now: new Date(FIXED_NOW), documentWorkers: bad })).rejects.toMatchObject({ code: "USAGE" });
    }
  });

  it("do not start for fewer files than WORKER_THRESHOLD", async () => {
    const dir = await makeTempSite(siteFiles(40), { limit: 30, feeds: { tags: false, sections: false } });
    await build({ cwd: dir, now: new Date(FIXED_NOW), cache: false, documentWorkers: 0 });
    expect(events.list).toEqual(["open", "close", "close"]);
  });
});
