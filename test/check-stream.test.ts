import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type FeedFile, checkFeedFiles } from "../src/check/check-feed-files.ts";
import { checkFeedText } from "../src/check/check-feed-text.ts";
import type { XmlElement } from "../src/check/parse-xml.ts";
import { FIXED_NOW } from "./helpers.ts";

const now = new Date(FIXED_NOW);
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Write `text` to a temporary file; the check sees it at https://example.com/<name>. */
async function writeFeed(name: string, text: string | Uint8Array): Promise<FeedFile> {
  const dir = await mkdtemp(path.join(tmpdir(), "wirefeed-check-stream-"));
  dirs.push(dir);
  const file = path.join(dir, name);
  await writeFile(file, text);
  return { path: file, display: name, url: `https://example.com/${name}`, explicit: true };
}

const rssItem = (n: number) =>
  `<item><title>Story ${n}</title><link>https://example.com/${n}</link><description>About ${n}.</description>` +
  `<content:encoded><![CDATA[<p>${"Words. ".repeat(40)}</p>]]></content:encoded>` +
  `<guid isPermaLink="false">tag:example.com,2025:${n}</guid><pubDate>Sat, 03 May 2025 06:00:00 GMT</pubDate></item>\n`;

const rssFeed = (items: string, channelEnd = "") =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n' +
  "<title>News</title>\n<link>https://example.com/</link>\n<description>All the news.</description>\n<language>en</language>\n" +
  '<atom:link href="https://example.com/rss.xml" rel="self" type="application/rss+xml"/>\n' +
  `${items}${channelEnd}</channel>\n</rss>\n`;

const atomEntry = (n: number, author = "") =>
  `<entry><id>tag:example.com,2025:${n}</id><title>Story ${n}</title><updated>2025-05-03T06:00:00Z</updated>${author}` +
  `<link rel="alternate" href="https://example.com/${n}"/><content type="html">&lt;p&gt;${"Words. ".repeat(40)}&lt;/p&gt;</content></entry>\n`;

const atomFeed = (entries: string, feedEnd = "") =>
  '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n<id>tag:example.com,2025:feed</id>\n' +
  '<title>News</title>\n<updated>2025-05-03T06:00:00Z</updated>\n<link rel="self" href="https://example.com/atom.xml"/>\n' +
  `${entries}${feedEnd}</feed>\n`;

/** Every element under `element` with this local name. */
function countElements(element: XmlElement, local: string): number {
  return element.children.reduce((sum, child) => sum + (child.local === local ? 1 : 0) + countElements(child, local), 0);
}

function rootOf(element: XmlElement): XmlElement {
  let at = element;
  while (at.parent) at = at.parent;
  return at;
}

describe("check: XML feeds read as a stream", () => {
  // Catches: reading a feed file whole and parsing it into a tree of every item (issue 7:
  // 1.09 GB to check a 10,000-item site; past about 512 MiB a feed was not checked at all).
  it.each([
    ["rss.xml", rssFeed(Array.from({ length: 300 }, (_, n) => rssItem(n)).join("")), "item"],
    ["atom.xml", atomFeed(Array.from({ length: 300 }, (_, n) => atomEntry(n, '<author><name>Ana</name></author>')).join("")), "entry"],
  ])("reads %s a few KB at a time and holds one item's tree at a time", async (name, text, local) => {
    const file = await writeFeed(name, text);
    const reads: number[] = [];
    let items = 0;
    const result = await checkFeedFiles([file], {
      now,
      readSize: 4096,
      onRead: (bytes) => reads.push(bytes),
      onItem: (item) => {
        items++;
        const element = item as XmlElement;
        expect(element.local).toBe(local);
        // The item handed over is already out of the tree, and no item before it is left in it.
        expect(countElements(rootOf(element), local)).toBe(0);
      },
    });
    expect(result.findings).toEqual([]);
    expect(result.checked[0]?.summary?.items).toHaveLength(300);
    expect(items).toBe(300);
    expect(Math.max(...reads)).toBeLessThanOrEqual(4096);
    expect(reads.length).toBeGreaterThan(text.length / 4096 - 1);
  });

  it("reports the channel's findings before the items', even when the channel ends after its items", async () => {
    const text = rssFeed(
      `${rssItem(1)}<item><title>No guid</title><link>/relative</link></item>\n${rssItem(1)}`,
      "<ttl>soon</ttl>\n<managingEditor>Ana</managingEditor>\n",
    );
    const expected = [
      { code: "rss-author-invalid", line: 13, field: "channel/managingEditor" },
      { code: "rss-ttl-invalid", line: 12, field: "channel/ttl" },
      { code: "guid-missing", line: 10, item: "No guid", field: "item/guid" },
      { code: "relative-url", line: 10, item: "No guid", field: "item/link" },
      { code: "id-duplicate", line: 11, item: "tag:example.com,2025:1", field: "item/guid" },
    ];
    expect(checkFeedText(text, { file: "rss.xml", url: "https://example.com/rss.xml", now }).findings).toMatchObject(expected);
    const file = await writeFeed("rss.xml", text);
    expect((await checkFeedFiles([file], { now, readSize: 7 })).findings).toMatchObject(expected);
  });

  it("knows an Atom feed's author even when it comes after the entries", async () => {
    const late = atomFeed(atomEntry(1) + atomEntry(2), "<author><name>Ana</name></author>\n");
    const file = await writeFeed("atom.xml", late);
    expect((await checkFeedFiles([file], { now, readSize: 16 })).findings).toEqual([]);
    expect(checkFeedText(late, { file: "atom.xml", url: "https://example.com/atom.xml", now }).findings).toEqual([]);

    const none = atomFeed(atomEntry(1) + atomEntry(2));
    const findings = (await checkFeedFiles([await writeFeed("atom.xml", none)], { now, readSize: 16 })).findings;
    expect(findings.map((finding) => [finding.code, finding.item])).toEqual([
      ["atom-author-missing", "tag:example.com,2025:1"],
      ["atom-author-missing", "tag:example.com,2025:2"],
    ]);
  });

  it("finds a raw & in a file read in pieces as in its whole text, without holding the text", async () => {
    for (const text of [
      // At the end of a piece, the & could still start a reference.
      rssFeed(rssItem(1).replace("Story 1", "Story &amp; more &amp").replace("</title>", " &&x; </title>")),
      // A CDATA section that never closes is text, & and all.
      rssFeed(`${rssItem(1)}<item><title>Odd</title><description><![CDATA[ a & b </description></item>\n`),
      rssFeed(`${rssItem(1)}<!-- a & b ${rssItem(2)}`),
      // An error long before any &: the file is not read again to its end.
      `<rss version="2.0"><channel>\n<title>x</title>\u0001\n${rssItem(3).replace("Story", "A & B")}</channel></rss>`,
    ]) {
      const whole = checkFeedText(text, { file: "rss.xml", url: "https://example.com/rss.xml", now }).findings;
      expect(whole).toHaveLength(1);
      expect(whole[0]?.code).toBe("xml-not-well-formed");
      for (const readSize of [1, 5, 64]) {
        const file = await writeFeed("rss.xml", text);
        expect((await checkFeedFiles([file], { now, readSize })).findings).toEqual(whole);
      }
    }
  });

  it("still names a file that is not UTF-8 when the bad byte is in a later piece, or cut off at its end", async () => {
    const text = Buffer.from(rssFeed(rssItem(1)));
    const cut = Buffer.concat([text, Buffer.from("é").subarray(0, 1)]);
    const bad = Buffer.concat([text.subarray(0, 300), Buffer.from([0xff]), text.subarray(300)]);
    for (const bytes of [cut, bad]) {
      const result = await checkFeedFiles([await writeFeed("rss.xml", bytes)], { now, readSize: 64 });
      expect(result.findings).toEqual([expect.objectContaining({ code: "encoding-invalid", file: "rss.xml" })]);
    }
  });

});

const jsonItem = (n: number, more: Record<string, unknown> = {}) => ({
  id: `tag:example.com,2025:${n}`,
  url: `https://example.com/${n}`,
  title: `Story ${n}`,
  content_html: `<p>${"Words. ".repeat(40)}</p>`,
  date_published: "2025-05-03T06:00:00Z",
  ...more,
});

const jsonFeed = (items: unknown[], more: Record<string, unknown> = {}) =>
  `${JSON.stringify(
    { version: "https://jsonfeed.org/version/1.1", title: "News", home_page_url: "https://example.com/", feed_url: "https://example.com/feed.json", language: "en", ...more, items },
    null,
    2,
  )}\n`;

describe("check: XML read in pieces, where the pieces fall", () => {
  // Catches: saxes reports text after the root when it hands over text, which it does at the end
  // of every piece it is given: the error's line and column were those of a piece's end.
  it("places text after the root element where the whole text does, wherever the pieces end", async () => {
    const valid = rssFeed(rssItem(1));
    for (const text of [`${valid}hello\nworld\n`, `${valid}\nhello <!-- c -->\n`, `${valid.trimEnd()}x]]>y--z\u0085w`]) {
      const whole = checkFeedText(text, { file: "rss.xml", url: "https://example.com/rss.xml", now }).findings;
      expect(whole).toHaveLength(1);
      expect(whole[0]?.code).toBe("xml-not-well-formed");
      const file = await writeFeed("rss.xml", text);
      for (const readSize of [1, 2, 3, 5, 7, 64]) {
        expect((await checkFeedFiles([file], { now, readSize })).findings, `read ${readSize} bytes at a time`).toEqual(whole);
      }
    }
  });

  // Catches: a rule that threw while an item was checked came out as "not well-formed XML",
  // hiding the bug; a text too long for one string came out the same way.
  it("lets an error thrown by a rule through, rather than calling the XML not well-formed", async () => {
    const file = await writeFeed("rss.xml", rssFeed(rssItem(1) + rssItem(2)));
    const bug = new TypeError("a bug in a rule");
    await expect(
      checkFeedFiles([file], {
        now,
        onItem: () => {
          throw bug;
        },
      }),
    ).rejects.toBe(bug);
  });
});

describe("check: a JSON Feed an item at a time", () => {
  // Catches: parsing a JSON Feed whole (issue 7: at 10,000 full items its text and parse peaked at 0.5 GB).
  it("checks each item of a feed laid out as wirefeed lays it out while the file is still being read", async () => {
    const text = jsonFeed(Array.from({ length: 300 }, (_, n) => jsonItem(n)));
    const file = await writeFeed("feed.json", text);
    let read = 0;
    const readAtItem: number[] = [];
    const result = await checkFeedFiles([file], {
      now,
      readSize: 4096,
      onRead: (bytes) => {
        read += bytes;
      },
      onItem: () => readAtItem.push(read),
    });
    expect(result.findings).toEqual([]);
    expect(result.checked[0]?.summary?.items).toHaveLength(300);
    expect(readAtItem).toHaveLength(300);
    // Each item is checked within a piece or two of its end, not once the whole file is read.
    readAtItem.forEach((bytes, index) => expect(bytes).toBeLessThan(((index + 1) / 300) * text.length + 2 * 4096));
  });

  it("gives the whole check's findings, in its order, read in pieces or laid out otherwise", async () => {
    const items = [
      jsonItem(1),
      jsonItem(2, { url: "/relative", date_published: "yesterday", zz: 1 }),
      jsonItem(1, { title: "Again" }),
      { title: "No id", content_html: "<p>x</p>" },
      jsonItem(4, { id: 4, attachments: [{ url: "https://example.com/a.mp3", mime_type: "image/jpg" }] }),
    ];
    const text = jsonFeed(items, { feed_url: "https://example.com/other.json", language: undefined, author: { name: "Ana" }, icon: "icon.png", extra: true });
    // As the whole check found them before it read a feed an item at a time.
    const expected = [
      { code: "self-link-mismatch", line: 5, field: "feed_url" },
      { code: "relative-url", line: 9, field: "icon" },
      { code: "language-missing", line: 1, field: "language" },
      { code: "json-author-deprecated", line: 6, field: "author" },
      { code: "relative-url", line: 20, item: "tag:example.com,2025:2", field: "items[1].url" },
      { code: "date-invalid", line: 20, item: "tag:example.com,2025:2", field: "items[1].date_published" },
      { code: "id-duplicate", line: 28, item: "tag:example.com,2025:1", field: "items[2].id" },
      { code: "id-missing", item: "No id", field: "items[3].id" },
      { code: "id-invalid", line: 39, item: "4", field: "items[4].id" },
      { code: "enclosure-type-invalid", line: 39, item: "4", field: "items[4].attachments[0].mime_type" },
      { code: "json-schema", message: "must NOT have additional properties (extra) (JSON Feed 1.1 schema)" },
      { code: "json-schema", line: 20, item: "tag:example.com,2025:2", field: "items[1]" },
    ];
    const whole = checkFeedText(text, { file: "feed.json", url: "https://example.com/feed.json", now }).findings;
    expect(whole).toMatchObject(expected);
    const file = await writeFeed("feed.json", text);
    expect((await checkFeedFiles([file], { now, readSize: 5 })).findings).toEqual(whole);
    // Any other layout is checked whole, with the same findings but for their lines.
    const compact = JSON.stringify(JSON.parse(text));
    const other = (await checkFeedFiles([await writeFeed("feed.json", compact)], { now, readSize: 64 })).findings;
    expect(other.map((finding) => [finding.code, finding.item, finding.field])).toEqual(whole.map((finding) => [finding.code, finding.item, finding.field]));
  });
});

describe("check: feeds longer than the longest string", () => {
  // Past V8's longest string (2^29 - 24 characters) a file cannot be read whole: an RSS feed that
  // long is checked all the same, an item at a time.
  it("checks an RSS feed longer than the longest string", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "wirefeed-check-stream-"));
    dirs.push(dir);
    const file = path.join(dir, "rss.xml");
    const out = createWriteStream(file);
    const put = (text: string) => new Promise<void>((resolve, reject) => out.write(text, (error) => (error ? reject(error) : resolve())));
    const [start, end] = rssFeed("@").split("@") as [string, string];
    await put(start);
    const filler = "x".repeat(8 << 20);
    for (let n = 0; n < 66; n++) {
      await put(rssItem(n).replace("<description>", `<description>${filler}`));
    }
    // One item with a problem, at the very end.
    await put(rssItem(1));
    await put(end);
    await new Promise((resolve) => out.end(resolve));
    expect((await stat(file)).size).toBeGreaterThan(2 ** 29);
    const result = await checkFeedFiles([{ path: file, display: "rss.xml", url: "https://example.com/rss.xml", explicit: true }], { now });
    expect(result.findings).toEqual([expect.objectContaining({ code: "id-duplicate", item: "tag:example.com,2025:1" })]);
    expect(result.checked[0]?.summary?.items).toHaveLength(67);
    await rm(file);
  }, 120_000);
});
