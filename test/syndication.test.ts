import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FEEDPARSER_REQUIRED, feedProblems, feedparserAvailable, readEverywhere, readWithFeedparser } from "./interop/read-feeds.ts";
import { FIXED_NOW, article, makeTempSite, runCli } from "./helpers.ts";
import { checkFeedText } from "../src/check/check-feed-text.ts";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);
const MP3 = Buffer.concat([Buffer.from("ID3"), Buffer.from([3, 0, 0, 0, 0, 0, 10]), Buffer.alloc(10), Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(400)]);

type Texts = { rss: string; atom: string; json: string };

async function readFeed(dir: string, folder = ""): Promise<Texts> {
  const read = (name: string) => readFile(path.join(dir, "dist", folder, name), "utf8");
  return { rss: await read("rss.xml"), atom: await read("atom.xml"), json: await read("feed.json") };
}

async function build(dir: string, args: string[] = []) {
  const run = await runCli(["build", "--now", FIXED_NOW, ...args], { cwd: dir });
  if (run.code !== 0) throw new Error(`build failed (${run.code}):\n${run.stderr}`);
  return run;
}

const jsonIds = (texts: Texts) => (JSON.parse(texts.json).items as { id: string }[]).map((item) => item.id);

/**
 * Every valid-feed check of the interop suite, plus: parsers agree on the items across formats,
 * and `wirefeed check --strict` (the publish workflow's step) finds nothing in any of them.
 */
async function expectValidAndAgreeing(texts: Texts): Promise<void> {
  expect(await feedProblems(texts)).toEqual([]);
  for (const [format, text] of Object.entries(texts)) {
    const findings = checkFeedText(text, { file: format, now: new Date(FIXED_NOW) }).findings;
    expect(findings.map((finding) => `${finding.severity} ${finding.code}: ${finding.message}`), format).toEqual([]);
  }
  const read = readEverywhere(texts);
  const ids = Object.values(read).map((items) => items.map((item) => item.id));
  for (const list of ids) expect(list).toEqual(jsonIds(texts));
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe("feeds per tag, section and author", () => {
  const files = {
    "articles/a.md": article({ title: "A", date: "2025-05-01", tags: ["México", "Security"], section: "Politics", author: "Ana Pérez" }),
    "articles/b.md": article({ title: "B", date: "2025-05-02", tags: ["Security"], section: "Politics", authors: ["Luis", "Ana Pérez"] }),
    "articles/c.md": article({ title: "C", date: "2025-05-03", tags: ["Weather"], section: "World" }),
  };

  it("writes a feed per tag and section by default, with its own title and self links and the main feed's ids", async () => {
    const dir = await makeTempSite(files);
    await build(dir);
    const written = await listFiles(path.join(dir, "dist"));
    for (const folder of ["tags/mexico", "tags/security", "tags/weather", "sections/politics", "sections/world"]) {
      for (const name of ["rss.xml", "atom.xml", "feed.json"]) expect(written).toContain(`${folder}/${name}`);
    }
    expect(written.some((file) => file.startsWith("authors/"))).toBe(false);

    const main = await readFeed(dir);
    const security = await readFeed(dir, "tags/security");
    const json = JSON.parse(security.json);
    expect(json.title).toBe("Test Site: Security");
    expect(json.feed_url).toBe("https://example.com/blog/tags/security/feed.json");
    expect(security.rss).toContain('<atom:link href="https://example.com/blog/tags/security/rss.xml" rel="self" type="application/rss+xml"/>');
    expect(security.atom).toContain('<link rel="self" href="https://example.com/blog/tags/security/atom.xml"/>');
    expect(security.atom).toContain("<title>Test Site: Security</title>");
    // Same ids as the main feed for the same articles.
    const mainIds = new Map((JSON.parse(main.json).items as { id: string; title: string }[]).map((item) => [item.title, item.id]));
    for (const item of json.items as { id: string; title: string }[]) expect(item.id).toBe(mainIds.get(item.title));
    expect((json.items as { title: string }[]).map((item) => item.title)).toEqual(["B", "A"]);
    // A tag with a single article still gets its feed, and every extra feed is valid.
    expect(JSON.parse((await readFeed(dir, "tags/weather")).json).items).toHaveLength(1);
    await expectValidAndAgreeing(security);
    await expectValidAndAgreeing(await readFeed(dir, "sections/politics"));
  });

  it("turns author feeds on, tag feeds off, and excludes listed tags, by config", async () => {
    const dir = await makeTempSite(files, { feeds: { authors: true, sections: false, excludeTags: ["security"] } });
    await build(dir);
    const written = await listFiles(path.join(dir, "dist"));
    expect(written).toContain("authors/ana-perez/feed.json");
    expect(written).toContain("authors/luis/feed.json");
    expect(written).toContain("tags/mexico/feed.json");
    expect(written.some((file) => file.startsWith("tags/security/"))).toBe(false);
    expect(written.some((file) => file.startsWith("sections/"))).toBe(false);
    // c.md has no author of its own, so it takes the site's default author, Ana Pérez, too.
    expect(JSON.parse((await readFeed(dir, "authors/ana-perez")).json).items).toHaveLength(3);
    expect(JSON.parse((await readFeed(dir, "authors/luis")).json).items).toHaveLength(1);

    const noTags = await makeTempSite(files, { feeds: { tags: false } });
    await build(noTags);
    expect((await listFiles(path.join(noTags, "dist"))).some((file) => file.startsWith("tags/"))).toBe(false);
  });

  it("two tags that slug the same are an error naming both", async () => {
    const dir = await makeTempSite({
      "articles/a.md": article({ title: "A", date: "2025-05-01", tags: ["México"] }),
      "articles/b.md": article({ title: "B", date: "2025-05-02", tags: ["Mexico"] }),
    });
    const run = await runCli(["build", "--now", FIXED_NOW], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('articles/a.md: tags: tag "México" and tag "Mexico" (articles/b.md) both have the feed slug "mexico"; use one spelling');
  });
});

describe("full history without a huge feed (RFC 5005)", () => {
  const post = (n: number) => [`articles/post-${String(n).padStart(2, "0")}.md`, article({ title: `Post ${n}`, date: `2025-01-${String(n).padStart(2, "0")}` }, `Body ${n}.\n`)] as const;

  it("marks a small site fh:complete, with no archive links", async () => {
    const dir = await makeTempSite(Object.fromEntries([post(1), post(2)]), { archive: true, limit: 5 });
    await build(dir);
    const main = await readFeed(dir);
    expect(main.rss).toContain("<fh:complete/>");
    expect(main.atom).toContain("<fh:complete/>");
    expect(main.rss).not.toContain("prev-archive");
    expect(JSON.parse(main.json).next_url).toBeUndefined();
  });

  it("keeps the newest N in the main feed and links immutable archive pages", async () => {
    const dir = await makeTempSite(Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map(post)), { archive: true, limit: 3 });
    await build(dir);
    const main = await readFeed(dir);
    expect(JSON.parse(main.json).items.map((item: { title: string }) => item.title)).toEqual(["Post 7", "Post 6", "Post 5"]);
    expect(main.rss).not.toContain("fh:complete");
    expect(main.rss).toContain('<atom:link href="https://example.com/blog/archive/2/rss.xml" rel="prev-archive" type="application/rss+xml"/>');
    expect(main.atom).toContain('<link rel="prev-archive" type="application/atom+xml" href="https://example.com/blog/archive/2/atom.xml"/>');
    expect(JSON.parse(main.json).next_url).toBe("https://example.com/blog/archive/2/feed.json");

    const page1 = await readFeed(dir, "archive/1");
    const page2 = await readFeed(dir, "archive/2");
    expect(JSON.parse(page1.json).items.map((item: { title: string }) => item.title)).toEqual(["Post 3", "Post 2", "Post 1"]);
    expect(JSON.parse(page2.json).items.map((item: { title: string }) => item.title)).toEqual(["Post 6", "Post 5", "Post 4"]);
    for (const page of [page1, page2]) {
      expect(page.rss).toContain("<fh:archive/>");
      expect(page.atom).toContain("<fh:archive/>");
      expect(page.rss).toContain('<atom:link href="https://example.com/blog/rss.xml" rel="current" type="application/rss+xml"/>');
      expect(page.atom).toContain('<link rel="current" type="application/atom+xml" href="https://example.com/blog/atom.xml"/>');
      await expectValidAndAgreeing(page);
    }
    expect(page1.rss).not.toContain('rel="prev-archive"');
    expect(page1.rss).toContain('<atom:link href="https://example.com/blog/archive/2/rss.xml" rel="next-archive" type="application/rss+xml"/>');
    expect(page2.atom).toContain('<link rel="prev-archive" type="application/atom+xml" href="https://example.com/blog/archive/1/atom.xml"/>');
    expect(JSON.parse(page2.json).next_url).toBe("https://example.com/blog/archive/1/feed.json");
    expect(JSON.parse(page1.json).next_url).toBeUndefined();
    // Every item is in some document: the main feed plus the archives cover the whole history.
    const all = new Set([main, page1, page2].flatMap(jsonIds));
    expect(all.size).toBe(7);
  });

  it("never changes the bytes of a completed archive page as articles are added one by one", async () => {
    const dir = await makeTempSite({}, { archive: true, limit: 3 });
    const frozen = new Map<string, string>();
    for (let n = 1; n <= 12; n++) {
      const [name, text] = post(n);
      await writeFile(path.join(dir, name), text);
      await build(dir);
      const pages = (await listFiles(path.join(dir, "dist"))).filter((file) => file.startsWith("archive/"));
      for (const page of pages) {
        const bytes = await readFile(path.join(dir, "dist", page), "utf8");
        const before = frozen.get(page);
        if (before !== undefined) expect(bytes, `${page} changed after adding post ${n}`).toBe(before);
        frozen.set(page, bytes);
      }
    }
    // 12 posts in pages of 3, the newest 3 in the main feed: pages 1–4 exist.
    expect([...frozen.keys()].filter((page) => page.endsWith("feed.json")).sort()).toEqual(
      ["archive/1/feed.json", "archive/2/feed.json", "archive/3/feed.json", "archive/4/feed.json"],
    );
  });
});

describe("size budget", () => {
  it("warns when a feed is bigger than the budget, and older items can carry summaries only", async () => {
    const big = `${"Long paragraph of news text. ".repeat(200)}\n`;
    const files = Object.fromEntries(
      [1, 2, 3].map((n) => [`articles/p${n}.md`, article({ title: `P${n}`, date: `2025-02-0${n}`, summary: `Summary ${n}.` }, big)]),
    );
    const dir = await makeTempSite(files, { sizeBudget: 10_000, feeds: { tags: false, sections: false } });
    const run = await build(dir);
    expect(run.stderr).toMatch(/^warning: dist\/rss\.xml: \d+ bytes, over the size budget of 10000 bytes/m);

    const trimmed = await makeTempSite(files, { sizeBudget: 100_000, fullContentItems: 1 });
    const quiet = await build(trimmed);
    expect(quiet.stderr).not.toContain("size budget");
    const texts = await readFeed(trimmed);
    const items = JSON.parse(texts.json).items;
    expect(items[0].content_html).toContain("Long paragraph");
    expect(items[1].content_html).toBeUndefined();
    expect(items[1].content_text).toBe("Summary 2.");
    expect(texts.rss.match(/<content:encoded>/g)).toHaveLength(1);
    expect(texts.atom.match(/<content type="html">/g)).toHaveLength(1);
    expect(await feedProblems(texts)).toEqual([]);
  });
});

describe("media", () => {
  it("reads a local image's real length and type from its bytes (a PNG named .jpg), copies it, and lists it in every format", async () => {
    const dir = await makeTempSite({
      "images/photo.jpg": PNG,
      "media/episode.bin": MP3,
      "articles/a.md": article({ title: "Pictured", date: "2025-05-01", image: "images/photo.jpg", enclosure: "media/episode.bin" }),
    });
    await build(dir);
    expect(await readFile(path.join(dir, "dist/images/photo.jpg"))).toEqual(PNG);
    expect(await readFile(path.join(dir, "dist/media/episode.bin"))).toEqual(MP3);
    const texts = await readFeed(dir);
    const url = "https://example.com/blog/images/photo.jpg";
    const audio = "https://example.com/blog/media/episode.bin";
    expect(texts.rss).toContain('xmlns:media="http://search.yahoo.com/mrss/"');
    expect(texts.rss).toContain(`<media:content url="${url}" type="image/png" fileSize="${PNG.length}" medium="image"/>`);
    expect(texts.rss).toContain(`<media:thumbnail url="${url}"/>`);
    expect(texts.rss).toContain(`<enclosure length="${MP3.length}" type="audio/mpeg" url="${audio}"/>`);
    expect(texts.atom).toContain(`<link rel="enclosure" type="image/png" length="${PNG.length}" href="${url}"/>`);
    expect(texts.atom).toContain(`<link rel="enclosure" type="audio/mpeg" length="${MP3.length}" href="${audio}"/>`);
    const item = JSON.parse(texts.json).items[0];
    expect(item.image).toBe(url);
    expect(item.attachments).toEqual([{ url: audio, mime_type: "audio/mpeg", size_in_bytes: MP3.length }]);
    expect(texts.rss + texts.atom).not.toContain("image/jpg");
    await expectValidAndAgreeing(texts);
  });

  it("takes a remote enclosure with its declared type and length, and a remote image as a URL", async () => {
    const dir = await makeTempSite({
      "articles/a.md": article({
        title: "Remote",
        date: "2025-05-01",
        image: "https://cdn.example.org/a.webp?w=1&h=2",
        enclosure: { url: "https://cdn.example.org/show.mp3", type: "audio/mpeg", length: 12345 },
      }),
    });
    await build(dir);
    const texts = await readFeed(dir);
    expect(texts.rss).toContain('<media:thumbnail url="https://cdn.example.org/a.webp?w=1&amp;h=2"/>');
    expect(texts.rss).toContain('<enclosure length="12345" type="audio/mpeg" url="https://cdn.example.org/show.mp3"/>');
    expect(JSON.parse(texts.json).items[0].image).toBe("https://cdn.example.org/a.webp?w=1&h=2");
    // The image's type is the one its URL's path names.
    expect(texts.atom).toContain('<link rel="enclosure" type="image/webp" href="https://cdn.example.org/a.webp?w=1&amp;h=2"/>');
    await expectValidAndAgreeing(texts);
  });

  // Catches: an Atom enclosure link without a type for a remote image, which `wirefeed check`
  // (and so the publish workflow's `check --strict`) rejected, so such a site never deployed.
  it("a remote image whose URL names no type is in RSS and JSON Feed, and not linked from Atom without a type", async () => {
    const dir = await makeTempSite({
      "articles/a.md": article({ title: "No extension", date: "2025-05-01", image: "https://cdn.example.org/photo?id=7" }),
      "articles/b.md": article({ title: "Not an image", date: "2025-05-02", image: "https://cdn.example.org/clip.mp4" }),
    });
    await build(dir);
    const texts = await readFeed(dir);
    for (const url of ["https://cdn.example.org/photo?id=7", "https://cdn.example.org/clip.mp4"]) {
      expect(texts.rss).toContain(`<media:content url="${url}" medium="image"/>`);
      expect(texts.atom).not.toContain(url);
    }
    expect((JSON.parse(texts.json).items as { image: string }[]).map((item) => item.image)).toEqual(["https://cdn.example.org/clip.mp4", "https://cdn.example.org/photo?id=7"]);
    await expectValidAndAgreeing(texts);
    const check = await runCli(["check", "--strict", "--now", FIXED_NOW], { cwd: dir });
    expect(check.stderr + check.stdout).toMatch(/^No problems/m);
    expect(check.code).toBe(0);
  });

  it("a missing local file, or one that is not media, is an error naming the article", async () => {
    const dir = await makeTempSite({
      "notes.txt": "just text\n",
      "articles/a.md": article({ title: "A", date: "2025-05-01", image: "images/missing.png" }),
      "articles/b.md": article({ title: "B", date: "2025-05-02", enclosure: "notes.txt" }),
      "articles/c.md": article({ title: "C", date: "2025-05-03", enclosure: { url: "https://cdn.example.org/x.mp3" } }),
      "articles/d.md": article({ title: "D", date: "2025-05-04", enclosure: "https://cdn.example.org/show.mp3" }),
      "articles/e.md": article({ title: "E", date: "2025-05-05", enclosure: { url: "https://cdn.example.org/show.mp3", type: "audio/mp3", length: 100 } }),
      "articles/f.md": article({ title: "F", date: "2025-05-06", image: { url: "https://cdn.example.org/pic.jpg", type: "image/jpg", length: 10 } }),
      "articles/h.md": article({ title: "H", date: "2025-05-08", enclosure: { url: "https://cdn.example.org/show.mp3", type: "video/mp4", length: 100 } }),
      "articles/g.md": article({ title: "G", date: "2025-05-07", image: { url: "https://cdn.example.org/clip", type: "video/mp4", length: 10 } }),
    });
    const run = await runCli(["build", "--now", FIXED_NOW], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("articles/a.md: image: file not found: images/missing.png (paths are relative to the project folder)");
    expect(run.stderr).toContain("articles/b.md: enclosure: expected audio, video, PDF or an image, got a file whose type cannot be read from its contents: notes.txt");
    expect(run.stderr).toContain("articles/c.md:4: enclosure.type: expected a MIME type such as audio/mpeg, got nothing");
    // Types wirefeed check rejects (not registered, or not what the URL names), and an image that is not one.
    expect(run.stderr).toContain('articles/e.md:4: enclosure.type: "audio/mp3" is not a registered media type; use audio/mpeg');
    expect(run.stderr).toContain('articles/f.md:4: image.type: "image/jpg" is not a registered media type; use image/jpeg');
    expect(run.stderr).toContain('articles/h.md:4: enclosure.type: "video/mp4" does not fit a .mp3 file; expected audio/mpeg');
    expect(run.stderr).toContain('articles/g.md:4: image.type: expected an image type such as image/jpeg, got "video/mp4"');
    // A remote enclosure given as a URL alone was left out of RSS and JSON Feed without a word.
    expect(run.stderr).toContain(
      'articles/d.md:4: enclosure: expected a file in the project, or { url, type, length } for a remote one (its type and size cannot be read at build time), got "https://cdn.example.org/show.mp3"',
    );
  });
});

describe("WebSub hubs", () => {
  it("every feed declares every hub: RSS atom:link, Atom link, JSON hubs", async () => {
    const dir = await makeTempSite({ "articles/a.md": article({ title: "A", date: "2025-05-01", tags: ["x"] }) }, {
      hubs: ["https://hub.example.net/", "https://pubsubhubbub.example.org/publish?a=1&b=2"],
    });
    await build(dir);
    for (const folder of ["", "tags/x"]) {
      const texts = await readFeed(dir, folder);
      expect(texts.rss).toContain('<atom:link href="https://hub.example.net/" rel="hub"/>');
      expect(texts.rss).toContain('<atom:link href="https://pubsubhubbub.example.org/publish?a=1&amp;b=2" rel="hub"/>');
      expect(texts.atom).toContain('<link rel="hub" href="https://hub.example.net/"/>');
      expect(texts.atom).toContain('<link rel="hub" href="https://pubsubhubbub.example.org/publish?a=1&amp;b=2"/>');
      expect(JSON.parse(texts.json).hubs).toEqual([
        { type: "WebSub", url: "https://hub.example.net/" },
        { type: "WebSub", url: "https://pubsubhubbub.example.org/publish?a=1&b=2" },
      ]);
      await expectValidAndAgreeing(texts);
    }
  });
});

describe("Python feedparser reads the tag, section and archive feeds", () => {
  const available = feedparserAvailable();
  const inCi = process.env.CI === "true";
  if (!available && !inCi) console.warn("[skipped] feedparser on tag and archive feeds: python3-feedparser is not installed.");

  it.skipIf(!available && !inCi)("without bozo and with the JSON feed's ids, for every extra feed", async () => {
    if (!available) throw new Error(FEEDPARSER_REQUIRED);
    const files = Object.fromEntries(
      [1, 2, 3, 4, 5].map((n) => [`articles/p${n}.md`, article({ title: `P${n}`, date: `2025-01-0${n}`, tags: ["Mexico"], section: "World" }, `Body ${n}.\n`)]),
    );
    const dir = await makeTempSite(files, { archive: true, limit: 2 });
    await build(dir);
    for (const folder of ["tags/mexico", "sections/world", "archive/1", "archive/2"]) {
      const texts = await readFeed(dir, folder);
      for (const format of ["rss.xml", "atom.xml"]) {
        const result = readWithFeedparser(path.join(dir, "dist", folder, format));
        expect({ bozo: result.bozo, exception: result.bozoException }, `${folder}/${format}`).toEqual({ bozo: 0, exception: "" });
        expect(result.items.map((item) => item.id), `${folder}/${format}`).toEqual(jsonIds(texts));
      }
    }
  });
});

describe("the subscribe page, autodiscovery snippet and OPML in dist/", () => {
  it("carry the main feed's self links and list every tag and section feed", async () => {
    const dir = await makeTempSite({
      "articles/a.md": article({ title: "A & <b>", date: "2025-05-01", tags: ["México"], section: "Politics", summary: "Sum <i>." }),
    });
    await build(dir);
    const page = await readFile(path.join(dir, "dist/index.html"), "utf8");
    const snippet = await readFile(path.join(dir, "dist/autodiscovery.html"), "utf8");
    const opml = await readFile(path.join(dir, "dist/feeds.opml"), "utf8");
    const main = await readFeed(dir);
    const self = {
      rss: /<atom:link href="([^"]+)" rel="self"/.exec(main.rss)?.[1],
      atom: /<link rel="self" href="([^"]+)"\/>/.exec(main.atom)?.[1],
      json: JSON.parse(main.json).feed_url,
    };
    for (const [type, url] of [["application/rss+xml", self.rss], ["application/atom+xml", self.atom], ["application/feed+json", self.json]]) {
      const link = new RegExp(`<link rel="alternate" type="${type.replace("+", "\\+")}" title="[^"]*" href="${url}">`);
      expect(page).toMatch(link);
      expect(snippet).toMatch(link);
    }
    expect(page).toContain("A &amp; &lt;b&gt;");
    expect(page).not.toContain("<b>");
    expect(opml).toContain('xmlUrl="https://example.com/blog/tags/mexico/rss.xml"');
    expect(opml).toContain('xmlUrl="https://example.com/blog/sections/politics/rss.xml"');
    expect(opml).toContain('xmlUrl="https://example.com/blog/rss.xml"');
  });
});
