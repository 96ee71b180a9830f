import { cp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { FeedModel } from "../src/model/types.ts";
import { build } from "../src/pipeline.ts";
import { hashItems } from "../src/state/feed-state.ts";
import { FIXED_NOW, article, makeTempDir, makeTempSite } from "./helpers.ts";

/**
 * Issue 7, bounded memory: documents are generated in batches that show at most `batchArticles`
 * articles between them, and each is staged to disk before the next batch is rendered. The bytes
 * must not depend on the batch size.
 */

async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: Record<string, string> = {};
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = await readFile(full, "utf8");
  }
  return out;
}

describe("generating in batches (issue 7)", () => {
  it("writes the same bytes, state and summary whatever the batch size", async () => {
    const files = Object.fromEntries(
      Array.from({ length: 23 }, (_, i) => [
        `articles/post-${String(i).padStart(2, "0")}.md`,
        article({ title: `Post ${i}`, date: `2025-0${1 + (i % 9)}-1${i % 10}T10:00:00Z`, tags: [`t${i % 4}`, `u${i % 3}`], ...(i % 5 === 0 ? {} : { summary: `Summary ${i}.` }) }, `Body ${i}.\n`),
      ]),
    );
    const config = { archive: true, limit: 5, archivePageSize: 5 };
    const whole = await makeTempSite(files, config);
    const small = await makeTempDir("wirefeed-batches-");
    await cp(whole, small, { recursive: true });
    const now = new Date(FIXED_NOW);
    const a = await build({ cwd: whole, now, cache: false });
    // Batches of at most 6 articles: each archive page (5) alone, tag feeds one or two at a time.
    const b = await build({ cwd: small, now, cache: false, batchArticles: 6 });
    expect(await snapshot(path.join(small, "dist"))).toEqual(await snapshot(path.join(whole, "dist")));
    expect(await readFile(path.join(small, ".wirefeed/state.json"), "utf8")).toBe(await readFile(path.join(whole, ".wirefeed/state.json"), "utf8"));
    expect(b.outputs).toEqual(a.outputs);
    expect(b.written).toEqual(a.written);
    expect(b.diagnostics).toEqual(a.diagnostics);
    // Not vacuous: the site has more than one batch's worth of documents.
    expect(a.outputs.length).toBeGreaterThan(20);
    // A build that writes keeps the main feed's documents and the pages, and lets the others go.
    expect(b.files.map((file) => file.path)).toEqual(["rss.xml", "atom.xml", "feed.json", "index.html", "feeds.opml", "autodiscovery.html"]);
    expect(b.model?.items).toHaveLength(5);
  });
});

describe("bodies held between their first read and their render (issue 7)", () => {
  it("gives the same bytes whether a body was held or read again", async () => {
    // Over 2 KB, so only the head is read at first; the bodies are read for their digests, held up
    // to `bodyBytesKept`, and the rest read again to be rendered.
    const files = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [`articles/long-${i}.md`, article({ title: `Long ${i}`, date: `2025-05-0${i + 1}` }, `Para ${i} “quoted”.\n\n${"Text é. ".repeat(400)}\n`)]),
    );
    const held = await makeTempSite(files, { limit: 8 });
    const reread = await makeTempDir("wirefeed-reread-");
    await cp(held, reread, { recursive: true });
    const now = new Date(FIXED_NOW);
    await build({ cwd: held, now, cache: false });
    await build({ cwd: reread, now, cache: false, bodyBytesKept: 7000 });
    const bytes = await snapshot(path.join(held, "dist"));
    expect(await snapshot(path.join(reread, "dist"))).toEqual(bytes);
    for (let i = 0; i < 8; i++) expect(bytes["feed.json"]).toContain(`Para ${i} “quoted”.`);
  });
});

describe("the state's digest of each feed's items (issue 7)", () => {
  it("is hashItems of the feed's model, though the build feeds it the JSON Feed's literals", async () => {
    const files = Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [
        `articles/post-${i}.md`,
        article({ title: `Post ${i}`, date: `2025-05-0${i + 1}`, tags: ["t"], ...(i % 2 === 0 ? {} : { summary: `Summary ${i}.` }) }, `Body ${i} “é” <b>x</b> \\ "q".\n`),
      ]),
    );
    const dir = await makeTempSite(files, { limit: 4, fullContentItems: 2 });
    const result = await build({ cwd: dir, now: new Date(FIXED_NOW), generateMain: true });
    const state = JSON.parse(await readFile(path.join(dir, ".wirefeed/state.json"), "utf8")) as { feeds: Record<string, { items: string }> };
    const model = result.model as FeedModel;
    expect(model.items.some((item) => item.fullContent) && model.items.some((item) => !item.fullContent)).toBe(true);
    expect(state.feeds[model.links.json]?.items).toBe(hashItems(model));
    expect(Object.keys(state.feeds)).toHaveLength(2);
  });
});

describe("the documents a build that writes returns (issue 7)", () => {
  // The main feed's text is not held to the end of the build; it is made again from the model
  // when asked for, so it is this build's text whatever happened to dist/ since.
  it("are this build's, even after a later build or with dist/ gone", async () => {
    const dir = await makeTempSite({ "articles/a.md": article({ title: "A", date: "2025-05-01" }, "Body A.\n") });
    const now = new Date(FIXED_NOW);
    const first = await build({ cwd: dir, now });
    const written = Object.fromEntries(
      await Promise.all(["rss.xml", "atom.xml", "feed.json"].map(async (file) => [file, await readFile(path.join(dir, "dist", file), "utf8")])),
    );
    await writeFile(path.join(dir, "articles/b.md"), article({ title: "B", date: "2025-05-02" }, "Body B.\n"));
    const second = await build({ cwd: dir, now });
    await rm(path.join(dir, "dist"), { recursive: true });
    for (const file of ["rss.xml", "atom.xml", "feed.json"]) {
      expect(first.files.find((one) => one.path === file)?.contents).toBe(written[file]);
    }
    expect((JSON.parse(second.files.find((one) => one.path === "feed.json")?.contents ?? "{}") as { items: unknown[] }).items).toHaveLength(2);
  });
});
