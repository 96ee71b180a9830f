import { cp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WirefeedError } from "../src/errors.ts";
import type { FeedModel } from "../src/model/types.ts";
import type { WriteFs } from "../src/output/write.ts";
import { nodeWriteFs } from "../src/output/write.ts";
import { type BuildOptions, type BuildResult, build } from "../src/pipeline.ts";
import { hashItemsV1 } from "../src/state/feed-state.ts";
import { FIXED_NOW, article, makeTempDir, makeTempSite, snapshotDir } from "./helpers.ts";

/**
 * Issue 7, bounded memory: a feed of `streamItems` items or more that a batch holds alone is
 * written as its items render (documents/spill-items.ts): each item's HTML is checked, digested
 * and spilled to a temp file, and let go. Nothing a reader or the next build sees may change.
 */

/** Every build here streams every feed: a batch of one article holds one feed alone. */
const STREAM_ALL: BuildOptions = { batchArticles: 1, streamItems: 1 };
const FEEDS = ["rss.xml", "atom.xml", "feed.json"];

function articles(count: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `articles/post-${String(i).padStart(2, "0")}.md`,
      article(
        { title: `Post ${i} “${i % 5 === 0 ? "]]> & <b>" : "quoted"}”`, date: `2025-0${1 + (i % 9)}-1${i % 10}T10:00:00Z`, tags: [`t${i % 3}`], ...(i % 4 === 0 ? {} : { summary: `Summary ${i}.` }) },
        `Body ${i} with “curly” text and 😀.\n\n${i % 3 === 0 ? "<p>raw ]]> html</p>\n" : ""}${i % 4 === 1 ? "A note.[^1]\n\n[^1]: The note.\n" : ""}`,
      ),
    ]),
  );
}

/** Two copies of one site: one built as ever, one with every feed streamed. */
async function twoSites(files: Record<string, string>, config: Record<string, unknown>): Promise<[string, string]> {
  const whole = await makeTempSite(files, config);
  const streamed = await makeTempDir("wirefeed-streamed-");
  await cp(whole, streamed, { recursive: true });
  return [whole, streamed];
}

async function expectSameOutput(whole: string, streamed: string, a: BuildResult, b: BuildResult): Promise<void> {
  expect(await snapshotDir(path.join(streamed, "dist"))).toEqual(await snapshotDir(path.join(whole, "dist")));
  expect(await readFile(path.join(streamed, ".wirefeed/state.json"), "utf8")).toBe(await readFile(path.join(whole, ".wirefeed/state.json"), "utf8"));
  expect(b.outputs).toEqual(a.outputs);
  expect(b.written).toEqual(a.written);
  expect(b.unchanged).toEqual(a.unchanged);
  expect(b.diagnostics).toEqual(a.diagnostics);
}

const rmDist = (dir: string) => rm(path.join(dir, "dist"), { recursive: true });

/** Run `task` with the system temp folder set to a fresh empty one; what it holds afterwards. */
async function inOwnTempDir(task: () => Promise<unknown>): Promise<{ left: string[]; error: unknown }> {
  const temp = await makeTempDir("wirefeed-tmpdir-");
  const before = process.env.TMPDIR;
  process.env.TMPDIR = temp;
  let error: unknown;
  try {
    await task();
  } catch (caught) {
    error = caught;
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  }
  return { left: await readdir(temp), error };
}

describe("a feed written as its items render (issue 7)", () => {
  it("has the same bytes, state and result as one made from all its items at once", async () => {
    const [whole, streamed] = await twoSites(articles(14), { limit: 10, fullContentItems: 6, archive: true, archivePageSize: 5 });
    const now = new Date(FIXED_NOW);
    const collections = { whole: 0, streamed: 0 };
    const a = await build({ cwd: whole, now, cache: false, collectGarbage: () => collections.whole++ });
    const b = await build({ cwd: streamed, now, cache: false, ...STREAM_ALL, collectGarbage: () => collections.streamed++ });
    await expectSameOutput(whole, streamed, a, b);
    // Asked for twice per streamed document (before it is made, before it is gated) and between
    // two batches (here each feed is a batch), and never in a build of one batch.
    const feedDocuments = b.written.filter((file) => /(?:rss|atom)\.xml$|feed\.json$/.test(file));
    const feeds = feedDocuments.length / 3;
    expect(feeds).toBeGreaterThan(1);
    expect(collections).toEqual({ whole: 0, streamed: 2 * feedDocuments.length + feeds - 1 });
    let betweenBatches = 0;
    await build({ cwd: whole, now, cache: false, batchArticles: 1, collectGarbage: () => betweenBatches++ });
    expect(betweenBatches).toBe(feeds - 1);
    // Not vacuous: the main feed was streamed (its model holds no HTML), and some items carry full content.
    const itemsA = (a.model as FeedModel).items;
    const itemsB = (b.model as FeedModel).items;
    expect(itemsA.filter((item) => item.fullContent && item.html.includes("😀"))).toHaveLength(6);
    expect(itemsB.map((item) => item.html)).toEqual(itemsA.map(() => ""));
    expect(itemsB.map((item) => ({ ...item, html: "" }))).toEqual(itemsA.map((item) => ({ ...item, html: "" })));
    // The documents it returns are the files it wrote, read back.
    for (const file of FEEDS) {
      const contents = b.files.find((one) => one.path === file)?.contents;
      expect(contents).toBe(a.files.find((one) => one.path === file)?.contents);
      expect(contents).toBe(await readFile(path.join(streamed, "dist", file), "utf8"));
    }
  });

  it("moves each feed's `updated` as ever when nothing changed, and when an article was edited", async () => {
    const files = articles(9);
    const [whole, streamed] = await twoSites(files, { limit: 6, archive: true, archivePageSize: 3 });
    await build({ cwd: whole, now: new Date(FIXED_NOW), cache: false });
    await build({ cwd: streamed, now: new Date(FIXED_NOW), cache: false, ...STREAM_ALL });
    const later = new Date(Date.parse(FIXED_NOW) + 86_400_000);
    const a = await build({ cwd: whole, now: later, cache: false });
    const b = await build({ cwd: streamed, now: later, cache: false, ...STREAM_ALL });
    await expectSameOutput(whole, streamed, a, b);
    expect(b.written).toEqual([]);

    // An edit in place (no new date): the feeds that show it move to the build instant.
    const edited = "articles/post-08.md";
    for (const site of [whole, streamed]) await writeFile(path.join(site, edited), (files[edited] as string).replace("Body 8", "Body eight"));
    const c = await build({ cwd: whole, now: later, cache: false });
    const d = await build({ cwd: streamed, now: later, cache: false, ...STREAM_ALL });
    await expectSameOutput(whole, streamed, c, d);
    expect(await readFile(path.join(streamed, "dist/atom.xml"), "utf8")).toContain(`<updated>${later.toISOString()}</updated>`);
  });

  it("gives the same with the render cache and the build index: a first build, then one with an article added", async () => {
    const files = articles(10);
    const [whole, streamed] = await twoSites(files, { limit: 8, fullContentItems: 5 });
    const now = new Date(FIXED_NOW);
    await expectSameOutput(whole, streamed, await build({ cwd: whole, now }), await build({ cwd: streamed, now, ...STREAM_ALL }));
    for (const site of [whole, streamed]) await writeFile(path.join(site, "articles/added.md"), article({ title: "Added", date: "2025-11-30", tags: ["t1"] }, "Added “body”.\n"));
    const a = await build({ cwd: whole, now });
    const b = await build({ cwd: streamed, now, ...STREAM_ALL });
    await expectSameOutput(whole, streamed, a, b);
    // Not vacuous: the second build made the main feed again, and streamed it.
    expect(a.written).toContain("feed.json");
    expect((b.model as FeedModel).items.map((item) => item.html)).toEqual((a.model as FeedModel).items.map(() => ""));
  });

  it("compares a digest of the first kind as a feed made at once does, and records the new kind", async () => {
    const [whole, streamed] = await twoSites(articles(6), { limit: 6, feeds: { tags: false, sections: false } });
    const first = await build({ cwd: whole, now: new Date(FIXED_NOW), cache: false });
    // The state an earlier version recorded: the same instant, the first kind of digest.
    const stateFile = path.join(whole, ".wirefeed/state.json");
    const state = JSON.parse(await readFile(stateFile, "utf8")) as { feeds: Record<string, { items: string; updated: string }> };
    const model = first.model as FeedModel;
    (state.feeds[model.links.json] as { items: string }).items = hashItemsV1(model);
    await writeFile(stateFile, JSON.stringify(state));
    await cp(whole, streamed, { recursive: true });
    const later = new Date(Date.parse(FIXED_NOW) + 86_400_000);
    const a = await build({ cwd: whole, now: later, cache: false });
    const b = await build({ cwd: streamed, now: later, cache: false, ...STREAM_ALL });
    await expectSameOutput(whole, streamed, a, b);
    // The items compared as unchanged: `updated` stayed, and the new kind of digest was recorded.
    expect(b.written).toEqual([]);
    const recorded = JSON.parse(await readFile(path.join(streamed, ".wirefeed/state.json"), "utf8")) as typeof state;
    expect(recorded.feeds[model.links.json]?.items.startsWith("2:")).toBe(true);
    expect(recorded.feeds[model.links.json]?.updated).toBe(state.feeds[model.links.json]?.updated);
  });

  it("gives its documents' text only while their files are as it left them", async () => {
    const dir = await makeTempSite(articles(4), { feeds: { tags: false, sections: false } });
    const now = new Date(FIXED_NOW);
    const first = await build({ cwd: dir, now, cache: false, ...STREAM_ALL });
    const second = await build({ cwd: dir, now, cache: false, ...STREAM_ALL });
    const third = await build({ cwd: dir, now, cache: false, ...STREAM_ALL });
    const text = await readFile(path.join(dir, "dist/feed.json"), "utf8");
    const feed = (result: BuildResult, file: string) => () => result.files.find((one) => one.path === file)?.contents;
    // The same bytes written again in place: the same size, a newer time.
    await writeFile(path.join(dir, "dist/atom.xml"), await readFile(path.join(dir, "dist/atom.xml")));
    expect(feed(second, "atom.xml")).toThrow(/is gone or changed since the build wrote it/);
    // The same bytes again, with the time set back (to the millisecond) as `cp -p` or `touch -r` would.
    const rssFile = path.join(dir, "dist/rss.xml");
    const { atime, mtime } = await stat(rssFile);
    await writeFile(rssFile, await readFile(rssFile));
    await utimes(rssFile, atime, mtime);
    expect(feed(second, "rss.xml")).toThrow(/is gone or changed/);
    // Builds that write the same bytes leave the files alone; a new article makes another feed.json,
    // renamed into place by the next build.
    await writeFile(path.join(dir, "articles/new.md"), article({ title: "New", date: "2025-12-01" }));
    await build({ cwd: dir, now, cache: false });
    expect(feed(first, "feed.json")).toThrow(/is gone or changed/);
    await rmDist(dir);
    expect(feed(third, "rss.xml")).toThrow(/is gone or changed/);
    expect(text).toContain('"items"');
  });

  it("builds through a file system double that puts the files elsewhere, and then gives no text", async () => {
    const dir = await makeTempSite(articles(3), { feeds: { tags: false, sections: false } });
    const elsewhere: WriteFs = { ...nodeWriteFs, rename: (from, to) => nodeWriteFs.rename(from, `${to}.elsewhere`) };
    const result = await build({ cwd: dir, now: new Date(FIXED_NOW), cache: false, fs: elsewhere, ...STREAM_ALL });
    expect(await readFile(path.join(dir, "dist/feed.json.elsewhere"), "utf8")).toContain('"items"');
    expect(() => result.files.find((one) => one.path === "feed.json")?.contents).toThrow(/is gone or changed/);
  });

  it("leaves no spill file behind, whether the build succeeds or fails, and a failed build leaves dist/ as it was", async () => {
    const dir = await makeTempSite(articles(5), { limit: 5 });
    const now = new Date(FIXED_NOW);
    const done = await inOwnTempDir(() => build({ cwd: dir, now, cache: false, ...STREAM_ALL }));
    expect(done).toEqual({ left: [], error: undefined });
    const before = await snapshotDir(path.join(dir, "dist"));

    await writeFile(path.join(dir, "articles/post-00.md"), article({ title: "Changed", date: "2025-09-01" }, "New body.\n"));
    // A disk that fails each write of a document: after every item was spilled.
    const failing: WriteFs = { ...nodeWriteFs, writeFile: async () => Promise.reject(Object.assign(new Error("no space left"), { code: "ENOSPC" })) };
    const failed = await inOwnTempDir(() => build({ cwd: dir, now, cache: false, fs: failing, ...STREAM_ALL }));
    expect(failed.left).toEqual([]);
    expect(failed.error).toBeInstanceOf(WirefeedError);
    expect((failed.error as WirefeedError).code).toBe("OUTPUT_UNWRITABLE");
    expect(await snapshotDir(path.join(dir, "dist"))).toEqual(before);
  });
});

describe("a large feed's documents, once written (issue 7)", () => {
  it("ask for a collection every 500 items while the feed renders, then twice per document", async () => {
    const files = Object.fromEntries(
      Array.from({ length: 1200 }, (_, i) => [`articles/p-${i}.md`, article({ title: `P ${i}`, date: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString() }, `Body ${i}.\n`)]),
    );
    const dir = await makeTempSite(files, { limit: 2000, feeds: { tags: false, sections: false } });
    /** Articles rendered so far, as the build reports its progress. */
    let rendered = 0;
    const calls: number[] = [];
    const result = await build({
      cwd: dir,
      now: new Date(FIXED_NOW),
      cache: false,
      streamItems: 1,
      renderWorkers: 0,
      onProgress: (done) => {
        rendered = done;
      },
      collectGarbage: () => calls.push(rendered),
    });
    expect(result.feeds[0]?.items).toBe(1200);
    // Two while rendering (after 500 and 1,000 items), then before each document is made and
    // before it is gated (none is large enough to ask after its write).
    expect(calls).toHaveLength(2 + 2 * 3);
    expect(calls[0]).toBeGreaterThanOrEqual(499);
    expect(calls[1]).toBeLessThan(1200);
    expect(calls.slice(2)).toEqual(Array(6).fill(1200));
  }, 60_000);

  it("are garbage when the build next asks for a collection, and the build asks right after each is written", async () => {
    // 12 articles of about 800 KB of HTML: each document of the streamed feed is over the 8 MB
    // after which a document is written out before the next is made.
    const paragraph = `${"Words in a long paragraph of a large article. ".repeat(40)}\n\n`;
    const files = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`articles/big-${i}.md`, article({ title: `Big ${i}`, date: `2025-03-${String(i + 1).padStart(2, "0")}T10:00:00Z` }, paragraph.repeat(400))]),
    );
    const dir = await makeTempSite(files, { limit: 20, feeds: { tags: false, sections: false } });
    /** The pieces of each document written, by path, held weakly; set once its write is done. */
    const written = new Map<string, WeakRef<object>>();
    const fs: WriteFs = {
      ...nodeWriteFs,
      writeFile: async (file, data) => {
        await nodeWriteFs.writeFile(file, data);
        if (!(data instanceof Uint8Array)) written.set(path.basename(file).replace(/\.wirefeed-.*$/, ""), new WeakRef(data));
        // A WeakRef holds its target until the job that made it ends: end it here.
        await new Promise((resolve) => setImmediate(resolve));
      },
    };
    const calls: { written: number; alive: string[] }[] = [];
    const { collectAll } = await import("../src/cli/collect-garbage.ts");
    await build({
      cwd: dir,
      now: new Date(FIXED_NOW),
      cache: false,
      streamItems: 1,
      fs,
      collectGarbage: () => {
        collectAll();
        calls.push({ written: written.size, alive: [...written].filter(([, ref]) => ref.deref() !== undefined).map(([file]) => file) });
      },
    });
    expect([...written.keys()].sort()).toEqual(["atom.xml", "feed.json", "rss.xml"]);
    // Not vacuous: each document was large enough to be written before the next was made.
    const sizes = await Promise.all(FEEDS.map(async (file) => (await stat(path.join(dir, "dist", file))).size));
    for (const size of sizes) expect(size).toBeGreaterThan(8_000_000);
    // Asked right after the last write too, before the pages are made.
    expect(calls.at(-1)?.written).toBe(3);
    // No collection finds a document already written still held (a local of the build held
    // the last one's pieces until the next document replaced them).
    expect(calls.filter((call) => call.alive.length > 0)).toEqual([]);
  }, 60_000);
});
