/**
 * One test per `feed@6.0.0` defect that wirefeed works around (shared/docs/feed-standards.md §1.3).
 * Each first shows the raw library misbehaving, so the test documents why the workaround exists,
 * then proves wirefeed's output is right: through a real build with the CLI where the defect is
 * reachable from an article, or through the generators in src/formats where it is not.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Feed, type FeedOptions, type Item } from "feed";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateAtom } from "../../src/formats/atom.ts";
import { generateRss } from "../../src/formats/rss.ts";
import { gateOutput } from "../../src/gate/gate-output.ts";
import type { FeedModel } from "../../src/model/types.ts";
import { build } from "../../src/pipeline.ts";
import { FIXED_NOW, article, buildFeeds, makeTempSite, runCli } from "../helpers.ts";
import {
  ATOM_NS,
  DC_NS,
  JSON_FEED_VERSION,
  atomSchemaErrors,
  childOf,
  childrenOf,
  feedProblems,
  idsOf,
  jsonFeedSchemaErrors,
  jsonItems,
  parseXml,
  readEverywhere,
  readWithFeedsmith,
  xmlError,
  xmlItems,
} from "../interop/read-feeds.ts";
import { SAMPLE_FILES } from "../interop/sites.ts";

/** The library used directly, as wirefeed would without its workarounds. */
function rawFeed(options: Partial<FeedOptions> = {}, items: Partial<Item>[] = [{}]): Feed {
  const feed = new Feed({
    id: "tag:example.com,2025:feed",
    title: "Test Site",
    link: "https://example.com/blog/",
    updated: new Date("2025-03-01T00:00:00Z"),
    feedLinks: { rss: "https://example.com/blog/rss.xml", atom: "https://example.com/blog/atom.xml" },
    ...options,
  });
  for (const item of items) {
    feed.addItem({
      title: "Hello",
      id: "tag:example.com,2025:2025-03-01/hello",
      link: "https://example.com/blog/posts/hello/",
      date: new Date("2025-03-01T00:00:00Z"),
      description: "Summary.",
      content: "<p>Body.</p>",
      ...item,
    });
  }
  return feed;
}

/** A real feed model (main feed of a one-article site), for calling the generators directly. */
async function modelOf(frontMatter: Record<string, unknown>): Promise<FeedModel> {
  const dir = await makeTempSite({ "articles/2025-03-01-hello.md": article({ date: "2025-03-01T12:00:00Z", ...frontMatter }) });
  return (await build({ cwd: dir, now: new Date(FIXED_NOW), write: false })).model as FeedModel;
}

/** A one-article site built with the CLI. */
async function buildOne(frontMatter: Record<string, unknown>, body?: string, files: Record<string, string | Buffer> = {}) {
  const dir = await makeTempSite({ "articles/2025-03-01-hello.md": article({ date: "2025-03-01T12:00:00Z", ...frontMatter }, body), ...files });
  return buildFeeds(dir);
}

describe("feed@6 defects and wirefeed's workarounds", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("D1: JSON Feed is version 1.1 with authors, not the library's version 1 with author", async () => {
    const raw = JSON.parse(rawFeed({ author: { name: "Ana Pérez" } }, [{ author: [{ name: "Ana Pérez" }] }]).json1());
    expect(raw.version).toBe("https://jsonfeed.org/version/1");
    expect(raw.author).toEqual({ name: "Ana Pérez" });
    // The schema accepts version 1, which is why the version is asserted on its own.
    expect(jsonFeedSchemaErrors(JSON.stringify(raw))).toEqual([]);

    const feeds = await buildFeeds(await makeTempSite(SAMPLE_FILES));
    const json = JSON.parse(feeds.json);
    expect(json.version).toBe(JSON_FEED_VERSION);
    expect(jsonFeedSchemaErrors(feeds.json)).toEqual([]);
    expect(json.author).toBeUndefined();
    expect(json.authors).toEqual([{ name: "Ana Pérez" }]);
    expect(json.items.map((item: { authors: { name: string }[] }) => item.authors.map((a) => a.name))).toEqual([
      ["Ana Pérez"],
      ["Dan Li", "Eve Moss"],
      ["Carla Ruiz"],
      ["Bob Stone"],
    ]);
  });

  it("D2: no clock in lastBuildDate: builds at different times are byte-identical, dated by the newest item change", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-02-01T10:00:00Z"));
    const raw = new Feed({ id: "tag:example.com,2025:feed", title: "T", link: "https://example.com/" });
    const rawFirst = raw.rss2();
    vi.setSystemTime(new Date("2026-02-01T11:30:00Z"));
    expect(rawFirst).toContain("<lastBuildDate>Sun, 01 Feb 2026 10:00:00 GMT</lastBuildDate>");
    expect(raw.rss2()).toContain("<lastBuildDate>Sun, 01 Feb 2026 11:30:00 GMT</lastBuildDate>");

    // The newest change is an update of the older article, not the newest publish date.
    const dir = await makeTempSite({
      "articles/2025-03-01-old.md": article({ title: "Old", date: "2025-03-01T12:00:00Z", updated: "2025-03-20T08:00:00Z" }),
      "articles/2025-03-10-new.md": article({ title: "New", date: "2025-03-10T12:00:00Z" }),
    });
    vi.setSystemTime(new Date("2026-02-01T10:00:00Z"));
    const first = await buildFeeds(dir);
    vi.setSystemTime(new Date("2027-07-07T07:07:07Z"));
    const second = await buildFeeds(dir);
    expect(second.rss).toBe(first.rss);
    expect(second.atom).toBe(first.atom);
    expect(second.json).toBe(first.json);
    const channel = childOf(parseXml(first.rss), "channel")!;
    expect(childOf(channel, "lastBuildDate")?.text).toBe("Thu, 20 Mar 2025 08:00:00 GMT");
    expect(childOf(parseXml(first.atom), "updated", ATOM_NS)?.text).toBe("2025-03-20T08:00:00.000Z");
  });

  it("D3: every ]]> survives CDATA, not only the first", async () => {
    const raw = rawFeed({}, [{ title: "x ]]> y ]]> z", content: "<pre>a ]]> b ]]> c</pre>" }]);
    expect(xmlError(raw.rss2())).toMatch(/"]]>" is disallowed/);
    expect(xmlError(raw.atom1())).toMatch(/"]]>" is disallowed/);

    // Markdown never yields a raw ]]> in HTML, so give the generators one directly.
    const model = await modelOf({ title: "x ]]> y ]]> z" });
    const hostile: FeedModel = { ...model, items: model.items.map((item) => ({ ...item, html: "<pre>a ]]> b ]]> c</pre>" })) };
    for (const [format, text] of [["rss", generateRss(hostile)], ["atom", generateAtom(hostile)]] as const) {
      expect(xmlError(text), format).toBeUndefined();
      const [item] = readWithFeedsmith(format, text);
      expect(item?.title, format).toBe("x ]]> y ]]> z");
      expect(item?.html, format).toBe("<pre>a ]]> b ]]> c</pre>");
    }

    // Through a build: with sanitize: false a <script> keeps its raw text, where ]]> must stay as
    // written in every format (`]]&gt;` would change the script; in raw text it is not decoded).
    const script = "<script>if (a[b[0]]>1 && c[d[1]]>2) {}</script>";
    const dir = await makeTempSite(
      { "articles/2025-03-01-script.md": article({ title: "Script", date: "2025-03-01" }, `Text.\n\n${script}\n`) },
      { sanitize: false },
    );
    const feeds = await buildFeeds(dir);
    expect(await feedProblems(feeds)).toEqual([]);
    for (const [reader, items] of Object.entries(readEverywhere(feeds))) {
      expect(items[0]?.html, reader).toContain(script);
    }
  });

  it("D4: control characters and U+FFFE never reach the XML; if one did, the gate stops the build", async () => {
    expect(xmlError(rawFeed({}, [{ title: "a\u0001b" }]).rss2())).toMatch(/disallowed character/);
    expect(xmlError(rawFeed({}, [{ content: "a\uFFFEb" }]).atom1())).toMatch(/disallowed character/);

    const feeds = await buildOne(
      {
        title: "Con\u0001trol",
        summary: "Sum\uFFFEmary",
        author: { name: "Ana\u0008 Pérez" },
        tags: ["Ta\u001Bg"],
        section: "Sec\u000Ction",
      },
      "Bo\u0001dy and \uFFFE.\n",
    );
    expect(await feedProblems(feeds)).toEqual([]);
    for (const text of [feeds.rss, feeds.atom, feeds.json]) {
      expect(text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\\u00[01][0-9a-f]|\\ufffe/i);
    }
    expect(JSON.parse(feeds.json).items[0]).toMatchObject({ title: "Control", summary: "Summary", tags: ["Section", "Tag"] });
    expect(feeds.run.stderr).toMatch(/title: removed characters that XML forbids/);

    // The output gate is the backstop: a generator bug that let one through fails the build.
    const model = await modelOf({ title: "Hello" });
    const broken: FeedModel = { ...model, items: model.items.map((item) => ({ ...item, title: "a\u0001b" })) };
    const contents = generateRss(broken);
    expect(() =>
      gateOutput({ path: "rss.xml", kind: "xml", contents, items: broken.items, regenerate: (items) => generateRss({ ...broken, items }) }),
    ).toThrow(expect.objectContaining({ code: "GATE_FAILED", file: "articles/2025-03-01-hello.md" }));
  });

  it("D7: Atom titles are HTML-escaped, since the library declares them type=\"html\"", async () => {
    const [rawEntry] = readWithFeedsmith("atom", rawFeed({}, [{ title: "Hello & <World>" }]).atom1());
    // Read as the HTML it claims to be, the raw title loses "<World>".
    expect(rawEntry?.title).toBe("Hello &");

    const feeds = await buildOne({ title: "Hello & <World>" });
    const title = childOf(xmlItems("atom", feeds.atom)[0]!, "title", ATOM_NS)!;
    expect(title.attributes.type).toBe("html");
    expect(title.text).toBe("Hello &amp; &lt;World&gt;");
    for (const [reader, items] of Object.entries(readEverywhere(feeds))) {
      expect(items[0]?.title, reader).toBe("Hello & <World>");
    }
  });

  it("D8: an id that is not an absolute URI is a clear front-matter error, not a TypeError; tag: ids work", async () => {
    expect(() => rawFeed({}, [{ id: "post-1" }]).atom1()).toThrow(TypeError);

    const dir = await makeTempSite({ "articles/2025-03-01-post.md": article({ title: "Post", date: "2025-03-01", id: "post-1" }) });
    const run = await runCli(["build", "--now", FIXED_NOW], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'articles/2025-03-01-post.md:4: id: expected an absolute URI such as tag:example.com,2025:my-post or urn:uuid:…, got "post-1"',
    );
    expect(run.stderr).not.toMatch(/TypeError|Invalid URL|bug in wirefeed/);
    await expect(readFile(path.join(dir, "dist", "atom.xml"))).rejects.toThrow(/ENOENT/);

    const feeds = await buildOne({ title: "Post", id: "tag:example.com,2025:post-1" });
    const ids = ["tag:example.com,2025:post-1"];
    expect(idsOf(feeds)).toEqual({ rss: ids, atom: ids, json: ids });
  });

  it("D14: RSS <author> only for one author with an email; dc:creator otherwise, never a bare name", async () => {
    expect(rawFeed({}, [{ author: [{ name: "Ann" }] }]).rss2()).toContain("<author>Ann</author>");

    const feeds = await buildFeeds(await makeTempSite(SAMPLE_FILES));
    const people = xmlItems("rss", feeds.rss).map((item) => ({
      author: childrenOf(item, "author", "").map((element) => element.text),
      creators: childrenOf(item, "creator", DC_NS).map((element) => element.text),
    }));
    expect(people).toEqual([
      { author: ["ana@example.com (Ana Pérez)"], creators: [] },
      { author: [], creators: ["Dan Li", "Eve Moss"] },
      { author: [], creators: ["Carla Ruiz"] },
      { author: ["bob@example.com (Bob Stone)"], creators: [] },
    ]);
  });

  it("D16: every Atom category has a term (the slug) and a label; RSS categories carry the name", async () => {
    const raw = rawFeed({}, [{ category: [{ name: "News" }] }]).atom1();
    expect(raw).toContain('<category label="News"/>');
    expect(await atomSchemaErrors(raw)).not.toEqual([]);

    const feeds = await buildOne({ title: "Tagged", section: "World News", tags: ["Estados Unidos de México", "Q&A <live>"] });
    expect(await feedProblems(feeds)).toEqual([]);
    const atomCategories = childrenOf(xmlItems("atom", feeds.atom)[0]!, "category", ATOM_NS).map((c) => c.attributes);
    expect(atomCategories).toEqual([
      { label: "World News", scheme: "https://example.com/blog/sections/", term: "world-news" },
      { label: "Estados Unidos de México", scheme: "https://example.com/blog/tags/", term: "estados-unidos-de-mexico" },
      { label: "Q&A <live>", scheme: "https://example.com/blog/tags/", term: "q-a-live" },
    ]);
    const rssCategories = childrenOf(xmlItems("rss", feeds.rss)[0]!, "category").map((c) => [c.text, c.attributes.domain]);
    expect(rssCategories).toEqual([
      ["World News", "https://example.com/blog/sections/"],
      ["Estados Unidos de México", "https://example.com/blog/tags/"],
      ["Q&A <live>", "https://example.com/blog/tags/"],
    ]);
    expect(jsonItems(feeds.json)[0]).toMatchObject({ tags: ["World News", "Estados Unidos de México", "Q&A <live>"] });
  });

  it("D17: no MIME type guessed from a URL: image: photo.jpg never yields image/jpg; JSON has image", async () => {
    const raw = rawFeed({}, [{ image: "https://example.com/blog/photo.jpg" }]);
    expect(raw.rss2()).toContain('type="image/jpg"');
    expect(raw.atom1()).toContain('type="image/jpg"');

    // A JPEG's first bytes (enough for content sniffing), saved as photo.jpg in the project.
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);
    const dir = await makeTempSite({
      "articles/2025-03-01-local.md": article({ title: "Local image", date: "2025-03-01T12:00:00Z", image: "photo.jpg" }),
      "articles/2025-03-02-remote.md": article({ title: "Remote image", date: "2025-03-02T12:00:00Z", image: "https://cdn.example.org/pics/remote.jpg" }),
      "photo.jpg": jpeg,
    });
    const feeds = await buildFeeds(dir);
    expect(await feedProblems(feeds)).toEqual([]);
    for (const text of [feeds.rss, feeds.atom, feeds.json]) expect(text).not.toContain("image/jpg");
    expect(jsonItems(feeds.json).map((item) => item.image)).toEqual([
      "https://cdn.example.org/pics/remote.jpg",
      "https://example.com/blog/photo.jpg",
    ]);
  });

  it("D19: each self link is its own file's URL (options.feed would point RSS at the Atom file)", async () => {
    const raw = rawFeed({ feed: "https://example.com/blog/atom.xml" }).rss2();
    expect(raw).toContain('<atom:link href="https://example.com/blog/atom.xml" rel="self" type="application/rss+xml"/>');

    const dir = await makeTempSite(
      { "articles/2025-03-01-hello.md": article({ title: "Hello", date: "2025-03-01T12:00:00Z" }) },
      { files: { rss: "news.rss", atom: "news.atom", json: "news.json" } },
    );
    const run = await runCli(["build", "--now", FIXED_NOW], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const read = (name: string) => readFile(path.join(dir, "dist", name), "utf8");
    const channel = childOf(parseXml(await read("news.rss")), "channel")!;
    const rssSelf = childrenOf(channel, "link", ATOM_NS).filter((link) => link.attributes.rel === "self");
    expect(rssSelf.map((link) => link.attributes)).toEqual([
      { href: "https://example.com/blog/news.rss", rel: "self", type: "application/rss+xml" },
    ]);
    const atomSelf = childrenOf(parseXml(await read("news.atom")), "link", ATOM_NS).filter((link) => link.attributes.rel === "self");
    expect(atomSelf.map((link) => link.attributes.href)).toEqual(["https://example.com/blog/news.atom"]);
    expect(JSON.parse(await read("news.json")).feed_url).toBe("https://example.com/blog/news.json");
  });

  it("D20: the site language is on the Atom root (xml:lang) and in JSON (language), not only in RSS", async () => {
    const raw = rawFeed({ language: "es-MX" });
    expect(parseXml(raw.atom1()).attributes["xml:lang"]).toBeUndefined();
    expect(JSON.parse(raw.json1()).language).toBeUndefined();

    const dir = await makeTempSite(
      { "articles/2025-03-01-hola.md": article({ title: "Hola", date: "2025-03-01T12:00:00Z" }) },
      { language: "es-MX" },
    );
    const feeds = await buildFeeds(dir);
    expect(await feedProblems(feeds)).toEqual([]);
    expect(parseXml(feeds.atom).attributes["xml:lang"]).toBe("es-MX");
    expect(JSON.parse(feeds.json).language).toBe("es-MX");
    expect(childOf(childOf(parseXml(feeds.rss), "channel")!, "language")?.text).toBe("es-MX");
  });
});
