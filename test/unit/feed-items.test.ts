/**
 * src/formats/feed-items.ts writes the RSS items and Atom entries itself (issue 7). These tests hold
 * the whole documents it makes to the ones `feed@6` makes when it serialises every item
 * (test/support/library-items.ts), byte for byte, for arbitrary models.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateAtom, generateAtomParts } from "../../src/formats/atom.ts";
import { toCdataContent } from "../../src/formats/feed-workarounds.ts";
import { generateRss, generateRssParts } from "../../src/formats/rss.ts";
import type { Author, FeedItem, FeedModel, Media, Term } from "../../src/model/types.ts";
import { baseItem, baseModel } from "../support/feed-model.ts";
import { generateLibraryAtom, generateLibraryRss } from "../support/library-items.ts";

/**
 * What the escapers and the library's quirks turn on, plus any text. Noncharacters are left out:
 * the markers are made of them, and validation strips them from every field.
 */
const NASTY = ["&", "&amp;", "&amp;amp;", "&lt;", "<", ">", '"', "'", "]]>", "]]", "<![CDATA[", "</item>", "<item>", "</entry>", "\n", " ", "é", "😀", "<dc:x>", "<media:y/>"];
const text = fc
  .array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 4 }), fc.string({ unit: "grapheme", maxLength: 3 })), { maxLength: 5 })
  .map((parts) => parts.join("").replace(/[\uFDD0-\uFDEF]/g, ""));
const URLS = ["https://example.com/a/", "https://example.com/a?x=1&y=2", "https://example.com/ü ñ/\"q\"", "http://example.com:80/%7e/", "https://EXAMPLE.com/b#f", "HTTPS://bücher.example/a\\b?q=<&amp;"];
const url = fc.constantFrom(...URLS);
const media: fc.Arbitrary<Media> = fc.record({
  url,
  type: fc.option(fc.constantFrom("image/png", "audio/mpeg", 'x/"y"&z', ""), { nil: undefined }),
  length: fc.option(fc.constantFrom(0, 1, 12345), { nil: undefined }),
});
const author: fc.Arbitrary<Author> = fc.record(
  { name: text, email: fc.constantFrom("a@example.com", "x&y@example.com", "x&amp;<y>@example.com", ""), url },
  { requiredKeys: ["name"] },
);
const term: fc.Arbitrary<Term> = fc.record({ name: text, term: fc.constantFrom("x", "a&b", "a<b", "mexico"), scheme: url });
const item: fc.Arbitrary<FeedItem> = fc
  .record({
    link: fc.oneof({ weight: 9, arbitrary: url }, { weight: 1, arbitrary: fc.constant("") }),
    id: fc.oneof(url, fc.constantFrom("tag:example.com,2025:a", "tag:example.com,2025:a&b", "tag:example.com,2025:a&amp;b", "urn:x:<y>")),
    sameId: fc.boolean(),
    title: text,
    summary: text,
    html: text,
    fullContent: fc.boolean(),
    published: fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
    updated: fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
    authors: fc.array(author, { maxLength: 3 }),
    tags: fc.array(term, { maxLength: 3 }),
    section: fc.option(term, { nil: undefined }),
    image: fc.option(media, { nil: undefined }),
    enclosure: fc.option(media, { nil: undefined }),
  })
  .map(({ link, id, sameId, ...rest }) => ({ ...baseItem, ...rest, url: link, permalink: link, id: sameId ? link : id }));
const model: fc.Arbitrary<FeedModel> = fc
  .record({
    items: fc.array(item, { maxLength: 4 }),
    complete: fc.boolean(),
    archive: fc.constantFrom(undefined, { isArchive: true, current: baseModel.links }, { isArchive: false, prevArchive: baseModel.links }),
    hubs: fc.constantFrom<string[][]>([], ["https://hub.example.com/?a=1&b=2"]),
    title: text,
    description: text,
    language: fc.constantFrom("en", "es-MX"),
  })
  .map((fields) => ({ ...baseModel, ...fields }));

/** What a generator gives: its text, or the message of what it threw (an id or link `new URL` refuses). */
function outcome(generate: () => string): string {
  try {
    return generate();
  } catch (error) {
    return `threw: ${(error as Error).message}`;
  }
}

describe("RSS items and Atom entries written without the library (issue 7)", () => {
  it("give the library's RSS document, byte for byte, for any model", () => {
    fc.assert(
      fc.property(model, (m) => {
        expect(outcome(() => generateRss(m))).toBe(outcome(() => generateLibraryRss(m)));
      }),
      { numRuns: 400 },
    );
  });

  it("give the library's Atom document, byte for byte, for any model", () => {
    fc.assert(
      fc.property(model, (m) => {
        expect(outcome(() => generateAtom(m))).toBe(outcome(() => generateLibraryAtom(m)));
      }),
      { numRuns: 400 },
    );
  });

  it("come in pieces with each item's HTML alone at an odd index, as the gate reads them", () => {
    // The gate (gate/check-xml.ts) skips the piece between `<![CDATA[` and `]]>` at each odd index.
    fc.assert(
      fc.property(model, (m) => {
        for (const [generateParts, generate] of [
          [generateRssParts, generateRss],
          [generateAtomParts, generateAtom],
        ] as const) {
          let parts: string[];
          try {
            parts = generateParts(m);
          } catch {
            continue;
          }
          expect(parts.join("")).toBe(generate(m));
          const html = m.items.filter((item) => item.fullContent).map((item) => toCdataContent(item.html));
          expect(parts.filter((_, index) => index % 2 === 1)).toEqual([...html, "\n"]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("split CDATA sections where the library does, and write empty values as it does", () => {
    const items = [
      { ...baseItem, title: "a]]>b]]>c]]>", summary: "", authors: [{ name: "", email: "x@example.com" }] },
      { ...baseItem, id: "tag:example.com,2025:b", title: "", summary: "]]>", authors: [{ name: "" }, { name: "]]>&amp;" }] },
    ];
    const m = { ...baseModel, items };
    expect(generateRss(m)).toContain("<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>c]]]]><![CDATA[>]]>");
    expect(generateRss(m)).toBe(generateLibraryRss(m));
    expect(generateAtom(m)).toBe(generateLibraryAtom(m));
  });

  it("declare the content namespaces only when some item has content, as the library does", () => {
    const summaryOnly = { ...baseModel, items: [{ ...baseItem, fullContent: false }] };
    const withContent = { ...baseModel, items: [{ ...baseItem, fullContent: false }, { ...baseItem, id: "tag:example.com,2025:b", fullContent: true }] };
    expect(generateRss(summaryOnly)).not.toContain("xmlns:content=");
    expect(generateRss(summaryOnly)).toBe(generateLibraryRss(summaryOnly));
    expect(generateRss(withContent)).toMatch(/<rss version="2.0" xmlns:dc="[^"]+" xmlns:content="[^"]+" xmlns:atom=/);
    expect(generateRss(withContent)).toBe(generateLibraryRss(withContent));
  });
});
