import { parseFeed as parseWithRowan } from "@rowanmanning/feed-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { buildFeeds, makeTempSite } from "../helpers.ts";
import { type FeedTexts, type ReadItem, readEverywhere, textOfHtml } from "./read-feeds.ts";
import { SAMPLE_EXPECTED, SAMPLE_FILES } from "./sites.ts";

let feeds: FeedTexts;
let read: Record<string, ReadItem[]>;
beforeAll(async () => {
  feeds = await buildFeeds(await makeTempSite(SAMPLE_FILES));
  read = readEverywhere(feeds);
});

/** Each reader's view of one field, per item, labelled by reader, for one readable diff. */
function field<T>(pick: (item: ReadItem) => T): Record<string, T[]> {
  return Object.fromEntries(Object.entries(read).map(([reader, items]) => [reader, items.map(pick)]));
}

/** What every reader must report: the expectation repeated for each of them. */
function everywhere<T>(values: T[]): Record<string, T[]> {
  return Object.fromEntries(Object.keys(read).map((reader) => [reader, values]));
}

describe("two independent parsers read the three formats back the same (feedsmith: RSS, Atom, JSON; rowan: RSS, Atom)", () => {
  it("@rowanmanning/feed-parser does not read JSON Feed, so JSON is read by feedsmith only", () => {
    expect(() => parseWithRowan(feeds.json)).toThrow(expect.objectContaining({ code: "INVALID_FEED" }));
  });

  it("find the same ids, in the same order (newest first)", () => {
    expect(field((item) => item.id)).toEqual(everywhere(SAMPLE_EXPECTED.map((item) => item.id)));
  });

  it("find the same titles", () => {
    expect(field((item) => item.title)).toEqual(everywhere(SAMPLE_EXPECTED.map((item) => item.title)));
  });

  it("find the same links (the canonical URL where one is given)", () => {
    expect(field((item) => item.link)).toEqual(everywhere(SAMPLE_EXPECTED.map((item) => item.link)));
  });

  it("find the same publish instants", () => {
    const iso = (ms: number) => (Number.isNaN(ms) ? "(missing)" : new Date(ms).toISOString());
    expect(field((item) => iso(item.published))).toEqual(everywhere(SAMPLE_EXPECTED.map((item) => item.published)));
  });

  it("find the same author names: with email, without, two authors, the site default", () => {
    expect(field((item) => item.authors)).toEqual(everywhere(SAMPLE_EXPECTED.map((item) => item.authors)));
  });

  it("find HTML content holding the full article text, the same text in every format", () => {
    for (const [reader, items] of Object.entries(read)) {
      items.forEach((item, index) => {
        const text = textOfHtml(item.html);
        for (const paragraph of SAMPLE_EXPECTED[index]!.paragraphs) {
          expect(text, `${reader}, item ${index + 1}`).toContain(paragraph);
        }
      });
    }
    expect(field((item) => textOfHtml(item.html))).toEqual(everywhere(read["feedsmith json"]!.map((item) => textOfHtml(item.html))));
  });
});
