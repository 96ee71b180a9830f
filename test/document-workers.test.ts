import { cp, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDocumentPool, receivedError, sendableError } from "../src/documents/document-pool.ts";
import { generateEncodedDocuments } from "../src/documents/generate-document.ts";
import { WirefeedError } from "../src/errors.ts";
import type { FeedItem, FeedModel } from "../src/model/types.ts";
import { nodeWriteFs } from "../src/output/write.ts";
import { build } from "../src/pipeline.ts";
import { FIXED_NOW, article, makeTempDir, makeTempSite, snapshotDir } from "./helpers.ts";
import { baseItem, baseModel } from "./support/feed-model.ts";

/**
 * Issue 7: the feeds a build does not return (tag, section and archive feeds) are made on
 * document worker threads. Whoever makes a document, the bytes, the order they are staged and
 * recorded in, and the errors must be what the main thread alone gives.
 */

// Counts the documents made on this thread; the workers load the real module on their own.
const made = vi.hoisted(() => ({ count: 0, events: [] as string[] }));
vi.mock("../src/documents/generate-document.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/documents/generate-document.ts")>();
  return {
    ...actual,
    generateDocument: (...args: Parameters<typeof actual.generateDocument>) => {
      made.count++;
      made.events.push(`make ${args[2]}`);
      return actual.generateDocument(...args);
    },
  };
});

// Records every pool a build opens, and whether the build closed it.
const pools = vi.hoisted(() => ({ opened: 0, closed: 0, entry: undefined as { filename: string; eval: boolean } | undefined }));
vi.mock("../src/documents/document-pool.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/documents/document-pool.ts")>();
  return {
    ...actual,
    openDocumentPool: (count: number, entry?: Parameters<typeof actual.openDocumentPool>[1]) => {
      const pool = actual.openDocumentPool(count, pools.entry ?? entry);
      pools.opened++;
      // With a broken worker, the first job waits until the worker has surely died.
      const died = pools.entry ? new Promise((resolve) => setTimeout(resolve, 500)) : undefined;
      return {
        ...pool,
        generate: died ? async (...args: Parameters<typeof pool.generate>) => died.then(() => pool.generate(...args)) : pool.generate,
        close: async () => {
          pools.closed++;
          await pool.close();
        },
      };
    },
  };
});

afterEach(() => {
  made.count = 0;
  made.events = [];
  pools.opened = 0;
  pools.closed = 0;
  pools.entry = undefined;
});

/** A worker that fails as it starts, as one whose file is missing from a package would. */
const BROKEN_WORKER = { filename: 'throw new Error("cannot load the document worker")', eval: true };

/** The feed documents among a build's outputs (the pages and the OPML list are made apart). */
const countDocuments = (outputs: readonly { path: string }[]) => outputs.filter((output) => /(rss|atom)\.xml$|feed\.json$/.test(output.path)).length;

/** Every file in the site's dist/ (relative path → bytes as text), and the recorded state. */
async function snapshot(site: string): Promise<Record<string, string>> {
  const dir = path.join(site, "dist");
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: Record<string, string> = { state: await readFile(path.join(site, ".wirefeed/state.json"), "utf8") };
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = await readFile(full, "utf8");
  }
  return out;
}

function siteFiles(count: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `articles/post-${String(i).padStart(2, "0")}.md`,
      article(
        {
          title: `Post ${i} “${i % 7 === 0 ? "]]> & <b>" : "quoted"}”`,
          date: `2025-0${1 + (i % 9)}-1${i % 10}T10:00:00Z`,
          tags: [`t${i % 6}`, `u${i % 5}`, `v${i % 4}`],
          section: `s${i % 3}`,
          ...(i % 5 === 0 ? {} : { summary: `Summary ${i}.` }),
        },
        `Body ${i} with “curly” text and 😀.\n\n${i % 4 === 0 ? "<p>raw ]]> html</p>\n" : ""}`,
      ),
    ]),
  );
}

describe("feeds made on document workers (issue 7)", () => {
  it.each([
    { cache: false, batchArticles: undefined },
    { cache: true, batchArticles: 8 },
  ])("give the same bytes, index, state and summary as the main thread alone (%o)", async ({ cache, batchArticles }) => {
    // A small size budget, so that the build warns about documents in plan order.
    const alone = await makeTempSite(siteFiles(40), { archive: true, limit: 5, archivePageSize: 5, sizeBudget: 2500 });
    const shared = await makeTempDir("wirefeed-document-workers-");
    await cp(alone, shared, { recursive: true });
    const now = new Date(FIXED_NOW);
    const options = { now, cache, ...(batchArticles === undefined ? {} : { batchArticles }) };
    const a = await build({ cwd: alone, ...options, documentWorkers: 0 });
    const madeAlone = made.count;
    made.count = 0;
    const b = await build({ cwd: shared, ...options, documentWorkers: 2 });
    expect(await snapshot(shared)).toEqual(await snapshot(alone));
    expect(b.outputs).toEqual(a.outputs);
    expect(b.written).toEqual(a.written);
    expect(b.diagnostics).toEqual(a.diagnostics);
    expect(b.files.map((file) => [file.path, file.contents])).toEqual(a.files.map((file) => [file.path, file.contents]));
    // Not vacuous: many feeds, and the workers made some of them (this thread made the rest).
    const documents = countDocuments(a.outputs);
    expect(documents).toBeGreaterThan(60);
    expect(madeAlone).toBe(documents);
    expect(made.count).toBeLessThan(documents);
    expect(made.count).toBeGreaterThanOrEqual(3);
    expect(pools).toMatchObject({ opened: 1, closed: 1 });
    expect(a.diagnostics.filter((diagnostic) => diagnostic.code === "feed-too-large").length).toBeGreaterThan(20);
  });

  it("records what the next build needs to reuse each document a worker made", async () => {
    const dir = await makeTempSite(siteFiles(30), { archive: true, limit: 5, archivePageSize: 5 });
    const now = new Date(FIXED_NOW);
    const first = await build({ cwd: dir, now, documentWorkers: 2 });
    expect(made.count).toBeLessThan(countDocuments(first.outputs));
    made.count = 0;
    // The build index vouches for every document: none is made again, none rewritten.
    const again = await build({ cwd: dir, now, documentWorkers: 2 });
    expect(made.count).toBe(0);
    expect(again.written).toEqual([]);
    // Without the index (no cache), each is made again and found unchanged on disk.
    const uncached = await build({ cwd: dir, now, cache: false, documentWorkers: 2 });
    expect(uncached.written).toEqual([]);
  });
});

const item: FeedItem = { ...baseItem, html: "<p>x</p>" };
const model: FeedModel = { ...baseModel, kind: "tag" };

const paths = { rss: "tags/t/rss.xml", atom: "tags/t/atom.xml", json: "tags/t/feed.json" };

describe("a build that fails with document workers running", () => {
  it("stops them, and leaves dist/ as it was", async () => {
    const dir = await makeTempSite(siteFiles(30), { archive: true, limit: 5, archivePageSize: 5 });
    // A file where the tag feeds' folder goes: their documents cannot be written.
    await mkdir(path.join(dir, "dist"));
    await writeFile(path.join(dir, "dist", "tags"), "not a folder\n");
    const before = await snapshotDir(path.join(dir, "dist"));
    const failure = await build({ cwd: dir, now: new Date(FIXED_NOW), cache: false, documentWorkers: 2 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "OUTPUT_UNWRITABLE" });
    expect(pools).toMatchObject({ opened: 1, closed: 1 });
    expect(await snapshotDir(path.join(dir, "dist"))).toEqual(before);
  });
});

describe("a document worker that fails to start", () => {
  it("fails the build with its error, stops the pool and leaves dist/ as it was", async () => {
    const dir = await makeTempSite(siteFiles(30), { archive: true, limit: 5, archivePageSize: 5 });
    const now = new Date(FIXED_NOW);
    await build({ cwd: dir, now, cache: false, documentWorkers: 0 });
    await writeFile(path.join(dir, "articles", "post-00.md"), article({ title: "Edited", date: "2025-01-10T10:00:00Z", tags: ["t0"] }, "Edited.\n"));
    const before = await snapshotDir(path.join(dir, "dist"));
    pools.entry = BROKEN_WORKER;
    // Before the fix, feeds went on being sent to the dead worker and the build never settled.
    const failure = await build({ cwd: dir, now, cache: false, documentWorkers: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^a document worker (failed: cannot load the document worker|stopped)/);
    expect(pools).toMatchObject({ opened: 1, closed: 1 });
    expect(await snapshotDir(path.join(dir, "dist"))).toEqual(before);
  }, 20_000);

  it("rejects every job, sent before or after it died", async () => {
    const pool = openDocumentPool(1, BROKEN_WORKER);
    try {
      const early = pool.generate(model, paths);
      await expect(early).rejects.toThrow("a document worker failed: cannot load the document worker");
      // Dead now: a later job is taken (hasRoom) and rejected at once, never left pending.
      expect(pool.hasRoom()).toBe(true);
      await expect(pool.generate(model, paths)).rejects.toThrow("a document worker failed: cannot load the document worker");
    } finally {
      await pool.close();
    }
  });
});

describe("a large document made on the main thread", () => {
  it("is written out before the next is made (FLUSH_AFTER_BYTES), with workers or without", async () => {
    // One feed of 36 items of about 250 KB: each of its documents is over 8 MB.
    const files = Object.fromEntries(
      Array.from({ length: 36 }, (_, i) => [
        `articles/long-${String(i).padStart(2, "0")}.md`,
        article({ title: `Long ${i}`, date: `2025-03-${String(1 + (i % 28)).padStart(2, "0")}T10:00:00Z` }, `${"Paragraph of text. ".repeat(13_000)}\n`),
      ]),
    );
    for (const documentWorkers of [0, 1]) {
      const dir = await makeTempSite(files, { limit: 36, sizeBudget: 100_000_000, feeds: { tags: false, sections: false } });
      made.events = [];
      const fs = { ...nodeWriteFs, writeFile: async (file: string, data: Parameters<typeof nodeWriteFs.writeFile>[1]) => {
        made.events.push(`write ${path.basename(file).replace(/\.wirefeed-.*$/, "")}`);
        await nodeWriteFs.writeFile(file, data);
      } };
      await build({ cwd: dir, now: new Date(FIXED_NOW), cache: false, documentWorkers, fs });
      expect(made.events.slice(0, 6)).toEqual(["make rss.xml", "write rss.xml", "make atom.xml", "write atom.xml", "make feed.json", "write feed.json"]);
    }
  }, 60_000);
});

describe("the document pool", () => {
  it("sends back what this thread makes, byte for byte", async () => {
    const items = ["a", "b", "c"].map((name, index) => ({ ...item, id: `https://example.com/${name}`, file: `articles/${name}.md`, html: `<p>${name} ]]> “${index}” 😀</p>` }));
    const full = { ...model, items };
    const pool = openDocumentPool(2);
    try {
      const results = await Promise.all([pool.generate(full, paths), pool.generate({ ...full, items: items.slice(1) }, paths)]);
      expect(results[0]).toEqual(generateEncodedDocuments(full, paths));
      expect(results[1]).toEqual(generateEncodedDocuments({ ...full, items: items.slice(1) }, paths));
      expect(new TextDecoder().decode(results[0]?.[0])).toContain("]]]]><![CDATA[>");
    } finally {
      await pool.close();
    }
  });

  it("rejects a feed that fails the gate with the error the main thread throws", async () => {
    // A generator bug, simulated: a control character the formats do not expect in a title.
    const broken = { ...model, items: [item, { ...item, id: "https://example.com/1", file: "articles/bad.md", title: "bad \u0001 title" }] };
    let expected: unknown;
    try {
      generateEncodedDocuments(broken, paths);
    } catch (error) {
      expected = error;
    }
    expect(expected).toBeInstanceOf(WirefeedError);
    const pool = openDocumentPool(1);
    try {
      const error = await pool.generate(broken, paths).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WirefeedError);
      const { code, message, file, field, hint } = expected as WirefeedError;
      expect(error).toMatchObject({ code, message, file, field, hint });
      expect({ code, file }).toEqual({ code: "GATE_FAILED", file: "articles/bad.md" });
      // The pool still works after a failed job.
      expect(await pool.generate({ ...model, items: [item] }, paths)).toEqual(generateEncodedDocuments({ ...model, items: [item] }, paths));
    } finally {
      await pool.close();
    }
  });

  it("rejects with a plain error for a bug that is not a WirefeedError, and after close", async () => {
    const pool = openDocumentPool(1);
    const error = await pool.generate({ ...model, items: [{ ...item, published: new Date(Number.NaN) }] }, paths).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(WirefeedError);
    expect((error as Error).message).toMatch(/invalid time value/i);
    await pool.close();
    await expect(pool.generate(model, paths)).rejects.toThrow("the document workers were stopped");
  });

  it("an error keeps its code and place across threads", () => {
    const error = new WirefeedError("GATE_FAILED", "generated x is not valid", { file: "articles/a.md", line: 3, field: "title", hint: "report it" });
    const back = receivedError(structuredClone(sendableError(error)));
    expect(back).toBeInstanceOf(WirefeedError);
    expect(back).toMatchObject({ code: "GATE_FAILED", message: "generated x is not valid", file: "articles/a.md", line: 3, field: "title", hint: "report it" });
    const plain = receivedError(structuredClone(sendableError(new RangeError("boom"))));
    expect(plain).not.toBeInstanceOf(WirefeedError);
    expect(plain).toMatchObject({ name: "RangeError", message: "boom" });
  });
});
