import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { build } from "../src/pipeline.ts";
import { WORKER_THRESHOLD } from "../src/render/render-articles.ts";
import { FIXED_NOW, article, makeTempSite } from "./helpers.ts";

/**
 * Issue 7: a build with nothing recorded (a fresh folder, or --no-cache) renders every article
 * a feed shows, so with WORKER_THRESHOLD article files or more it starts its render workers as
 * soon as the files are listed, to load while the articles are read; and one set of workers
 * serves every batch. A build the index knows starts them only when it has that much to render.
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
  it("start once the files are listed when nothing is recorded, and serve every batch", async () => {
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

  it("do not start for fewer files than WORKER_THRESHOLD", async () => {
    const dir = await makeTempSite(siteFiles(40), { limit: 30, feeds: { tags: false, sections: false } });
    await build({ cwd: dir, now: new Date(FIXED_NOW), cache: false, documentWorkers: 0 });
    expect(events.list).toEqual(["open", "close", "close"]);
  });
});
