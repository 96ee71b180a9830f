import { beforeAll, describe, expect, it } from "vitest";
import { buildFeeds, makeTempSite } from "../helpers.ts";
import { type FeedTexts, type ReadItem, feedProblems, readEverywhere, textOfHtml, xmlError } from "./read-feeds.ts";
import { CDATA_TITLE, HOSTILE_FILES, HOSTILE_TITLE, HOSTILE_TITLES, MARKUP_TITLE } from "./sites.ts";

let feeds: FeedTexts;
let read: Record<string, ReadItem[]>;
let stderr: string;
beforeAll(async () => {
  const built = await buildFeeds(await makeTempSite(HOSTILE_FILES));
  feeds = built;
  stderr = built.run.stderr;
  read = readEverywhere(feeds);
});

describe("hostile text (markup characters, ]]>, control characters, U+FFFE)", () => {
  it("gives well-formed RSS and Atom (saxes, strict, namespace-aware) and parseable JSON", () => {
    expect(xmlError(feeds.rss)).toBeUndefined();
    expect(xmlError(feeds.atom)).toBeUndefined();
    expect(() => JSON.parse(feeds.json)).not.toThrow();
  });

  it("gives schema-valid feeds (Atom grammar + Schematron rules, JSON Feed 1.1)", async () => {
    expect(await feedProblems(feeds)).toEqual([]);
  });

  it("keeps U+0001 and U+FFFE out of every output, and says it removed them", () => {
    for (const text of [feeds.rss, feeds.atom, feeds.json]) {
      expect(text).not.toMatch(/[\u0001\uFFFE]|\\u0001|\\ufffe|&#x?0*1;/i);
    }
    expect(stderr).toMatch(/hostile\.md:\d+: title: removed characters that XML forbids/);
    expect(stderr).toMatch(/hostile\.md:\d+: body: removed characters that XML forbids/);
  });

  it(`reads back every title exactly, ${HOSTILE_TITLE} included, from Atom and JSON with every parser and from RSS as plain text`, () => {
    for (const [reader, items] of Object.entries(read).filter(([reader]) => reader !== "rowan rss")) {
      expect(items.map((item) => item.title), reader).toEqual(HOSTILE_TITLES);
    }
  });

  it("RSS titles are ambiguous for readers that decode them as HTML: only a literal &amp; is read differently", () => {
    // The RSS Best Practices Profile makes titles plain text (feedsmith reads them so, above), but
    // @rowanmanning/feed-parser decodes character references in them. No RSS encoding satisfies
    // both readings of a literal "&amp;"; every other title is read exactly.
    expect(read["rowan rss"]!.map((item) => item.title)).toEqual([MARKUP_TITLE, CDATA_TITLE, 'A & B < C > D "E" & F']);
  });

  it("reads back content that shows ]]> twice, and the text around the removed characters", () => {
    for (const [reader, items] of Object.entries(read)) {
      const text = textOfHtml(items[2]!.html);
      expect(text.split("]]>"), reader).toHaveLength(3);
      expect(text, reader).toContain("Before ]]> middle ]]> after.");
      expect(text, reader).toContain("Control character and noncharacter.");
    }
  });
});
