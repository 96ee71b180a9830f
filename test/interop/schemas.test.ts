import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildFeeds, makeTempSite } from "../helpers.ts";
import {
  ATOM_NS,
  JSON_FEED_VERSION,
  type FeedTexts,
  atomSchemaErrors,
  atomSchematronProblems,
  childrenOf,
  jsonFeedSchemaErrors,
  parseXml,
} from "./read-feeds.ts";
import { SAMPLE_EXPECTED, SAMPLE_FILES } from "./sites.ts";

let feeds: FeedTexts;
beforeAll(async () => {
  feeds = await buildFeeds(await makeTempSite(SAMPLE_FILES));
});

describe("Atom output against RFC 4287", () => {
  it("validates against the RELAX NG grammar (test/schemas/atom.rng, xmllint)", async () => {
    expect(childrenOf(parseXml(feeds.atom), "entry", ATOM_NS)).toHaveLength(SAMPLE_EXPECTED.length);
    expect(await atomSchemaErrors(feeds.atom)).toEqual([]);
  });

  it("meets the Schematron rules the grammar cannot: an author for every entry, content or an alternate link", () => {
    expect(atomSchematronProblems(feeds.atom)).toEqual([]);
    // wirefeed goes further than the rule: every entry names its own authors and has both.
    for (const entry of childrenOf(parseXml(feeds.atom), "entry", ATOM_NS)) {
      expect(childrenOf(entry, "author", ATOM_NS).length).toBeGreaterThan(0);
      expect(childrenOf(entry, "content", ATOM_NS)).toHaveLength(1);
    }
  });

  it("the checks are not vacuous: a category without term, an entry without author or link are caught", async () => {
    const noTerm = feeds.atom.replace(/ term="[^"]*"/, "");
    expect(await atomSchemaErrors(noTerm)).not.toEqual([]);
    const noAuthors = feeds.atom.replace(/<author>[\s\S]*?<\/author>/g, "");
    expect(atomSchematronProblems(noAuthors)).toHaveLength(SAMPLE_EXPECTED.length);
    const noContentNoLink = feeds.atom.replace(/<content type="html">[\s\S]*?<\/content>/, "").replace(/<link href="[^"]*"\/>/, "");
    expect(atomSchematronProblems(noContentNoLink)).toEqual([expect.stringContaining('neither atom:content nor a rel="alternate" link')]);
  });
});

describe("JSON Feed output against JSON Feed 1.1", () => {
  it("validates against the JSON Feed 1.1 schema (ajv, draft-07, with formats)", () => {
    expect(JSON.parse(feeds.json).items).toHaveLength(SAMPLE_EXPECTED.length);
    expect(jsonFeedSchemaErrors(feeds.json)).toEqual([]);
  });

  it('says version "https://jsonfeed.org/version/1.1" exactly (the schema also accepts 1.0)', () => {
    expect(JSON.parse(feeds.json).version).toBe(JSON_FEED_VERSION);
    expect(JSON_FEED_VERSION).toBe("https://jsonfeed.org/version/1.1");
  });

  it("the schema check is not vacuous: an item without id and a non-ASCII url are rejected", () => {
    const document = JSON.parse(feeds.json);
    delete document.items[0].id;
    document.items[1].url = "https://example.com/café";
    expect(jsonFeedSchemaErrors(JSON.stringify(document))).toEqual([
      "/items/0 must have required property 'id'",
      '/items/1/url must match format "uri"',
    ]);
  });

  it("uses the same schema as the output gate, byte for byte", () => {
    const ours = readFileSync(new URL("../schemas/jsonfeed-1.1.schema.json", import.meta.url));
    const gate = readFileSync(new URL("../../src/gate/jsonfeed-1.1.schema.json", import.meta.url));
    expect(gate.equals(ours)).toBe(true);
  });
});
