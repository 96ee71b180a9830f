import * as nodeFs from "node:fs/promises";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { contentMarker, fillContent, finishXml, finishXmlParts } from "../../src/formats/feed-workarounds.ts";
import { generateJsonFeed, generateJsonFeedParts, generateJsonFeedPieces } from "../../src/formats/json-feed.ts";
import { readFileSync } from "node:fs";
import { checkByItem, checkJsonFeed, checkJsonFeedParts, checkJsonFeedTexts, isJsonString } from "../../src/gate/check-json-feed.ts";
import { checkXml, isCdataContent } from "../../src/gate/check-xml.ts";
import { gateJsonFeedPieces } from "../../src/gate/gate-output.ts";
import { type WriteFs, groupParts, measureParts, nodeWriteFs, openOutputWriter } from "../../src/output/write.ts";
import type { FeedItem } from "../../src/model/types.ts";
import { baseItem, baseModel } from "../support/feed-model.ts";

/**
 * Issue 7: a feed document is generated, gated and written in pieces, never as one string (a feed
 * of 10,000 full items is 100 MB or more of text, copied at each step). Each piece-wise step must
 * give exactly what the whole-string step gave.
 */

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const LT_MARK = "\uFDD0";
const piece = fc.constantFrom("<a>", "</a>", "]]>", "<![CDATA[", "&amp;", "\"", "\\", "\n", "é", "日本", "😀", "x", LT_MARK, "\u0001", "\\u00e9", "\\u12");
const text = fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 8 }).map((parts) => parts.join(""));
const html = fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 8 }).map((parts) => parts.join("").replaceAll(LT_MARK, ""));

/** Split `whole` at random points. */
const splitsOf = (whole: string) =>
  fc.uniqueArray(fc.integer({ min: 0, max: whole.length }), { maxLength: 6 }).map((cuts) => {
    const at = [0, ...cuts.sort((a, b) => a - b), whole.length];
    return at.slice(1).map((end, index) => whole.slice(at[index], end));
  });

describe("a document in pieces (issue 7)", () => {
  it("finishXmlParts joins to what finishXml(fillContent(…)) gives", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text, html), { maxLength: 5 }), text, (items, tail) => {
        const xml = items.map(([before], index) => `${before}<c><![CDATA[${contentMarker(index)}]]></c>`).join("") + tail;
        const htmls = items.map(([, body]) => body);
        expect(finishXmlParts(xml, htmls).join("")).toBe(finishXml(fillContent(xml, htmls)));
      }),
      { numRuns: 500 },
    );
  });

  it("a JSON Feed in pieces joins to the canonical two-space JSON of its own content, HTML included", () => {
    const item = (fields: { title: string; html: string; fullContent: boolean }, index: number): FeedItem => ({
      ...baseItem,
      id: `https://example.com/${index}`,
      url: `https://example.com/${index}`,
      permalink: `https://example.com/${index}`,
      ...fields,
    });
    fc.assert(
      fc.property(fc.array(fc.record({ title: text, html, fullContent: fc.boolean() }), { maxLength: 6 }), (fields) => {
        const model = { ...baseModel, items: fields.map(item) };
        const parts = generateJsonFeedParts(model);
        const whole = parts.join("");
        expect(whole).toBe(generateJsonFeed(model));
        const parsed = JSON.parse(whole) as { items: { content_html?: string }[] };
        expect(whole).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
        parsed.items.forEach((one, index) => expect(one.content_html).toBe(model.items[index]?.fullContent ? model.items[index]?.html : undefined));
        // The gate in pieces agrees with the gate on the whole, and every odd piece is a literal.
        expect(checkJsonFeedParts(parts)).toEqual(checkJsonFeed(whole));
        parts.forEach((part, index) => expect(isJsonString(part)).toBe(index % 2 === 1));
        // The same pieces with each literal made only when asked for, and gated as it is made.
        const lazy = generateJsonFeedPieces(model);
        expect(lazy.texts.flatMap((piece, index) => (index === 0 ? [piece] : [lazy.literal(index - 1), piece]))).toEqual(parts);
        const taken: string[] = [];
        gateJsonFeedPieces({ path: "feed.json", document: lazy, items: model.items, regenerate: (items) => generateJsonFeed({ ...model, items }), take: (literal) => taken.push(literal) });
        expect(taken).toEqual(parts.filter((_part, index) => index % 2 === 1));
      }),
      { numRuns: 300 },
    );
  });

  it("a JSON Feed made an item at a time is the two-space JSON of the whole, with every field an item or the feed can have", () => {
    const url = fc.constantFrom("https://example.com/a?b=1&c=2", "https://example.com/ü/\u2028", "https://example.com/x");
    const term = text.map((name) => ({ name, term: "t", scheme: "https://example.com/tags/" }));
    const richItem = fc.record({
      title: text,
      summary: text,
      html,
      fullContent: fc.boolean(),
      authors: fc.array(fc.record({ name: text, url: fc.option(url, { nil: undefined }) }), { maxLength: 3 }),
      tags: fc.array(term, { maxLength: 3 }),
      lang: fc.option(fc.constantFrom("en", "es", "pt-BR"), { nil: undefined }),
      image: fc.option(url.map((href) => ({ url: href, type: "image/png", length: 10 })), { nil: undefined }),
      enclosure: fc.option(fc.record({ url, type: fc.constantFrom("audio/mpeg", "video/mp4"), length: fc.nat() }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(richItem, { maxLength: 5 }), fc.boolean(), fc.boolean(), (fields, hubs, archived) => {
        const model = {
          ...baseModel,
          hubs: hubs ? ["https://hub.example.com/"] : [],
          archive: archived ? { isArchive: true, current: baseModel.links, prevArchive: { ...baseModel.links, json: "https://example.com/archive/1/feed.json" }, nextArchive: undefined } : undefined,
          items: fields.map((one, index) => ({ ...baseItem, ...one, id: `https://example.com/${index}`, url: `https://example.com/${index}` })),
        } as typeof baseModel;
        const whole = generateJsonFeedParts(model).join("");
        const parsed = JSON.parse(whole) as { items: Record<string, unknown>[]; next_url?: string; hubs?: unknown[] };
        // Made item by item, it is byte for byte what one JSON.stringify of the whole document gives.
        expect(whole).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
        expect(parsed.items).toHaveLength(model.items.length);
        expect(parsed.next_url !== undefined).toBe(archived);
        expect(parsed.hubs !== undefined).toBe(hubs);
        parsed.items.forEach((one, index) => {
          const item = model.items[index] as FeedItem;
          expect(one.id).toBe(item.id);
          expect((one.authors as unknown[]).length).toBe(item.authors.length);
          expect(one.attachments !== undefined).toBe(item.enclosure !== undefined);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("the JSON gate an item at a time gives the whole check's problems, on feeds good and bad", () => {
    const golden = JSON.parse(readFileSync(new URL("../golden/sample/feed.json", import.meta.url), "utf8")) as Record<string, unknown> & { items: Record<string, unknown>[] };
    // An empty string in each item and in the feed, so that the texts come in several pieces, cut where a literal stood.
    const item = { ...(golden.items[0] as Record<string, unknown>), _wirefeed: { note: "" } };
    const feed = { ...golden, _wirefeed: { note: "" } };
    const nested = { ...item, id: "https://example.com/n", _ext: { items: [{ about: "x" }], more: { deeper: "}" } } };
    const feeds: [string, unknown, boolean][] = [
      ["the golden feed", feed, true],
      ["three items, one with an extension that has items of its own", { ...feed, items: [item, nested, { ...item, id: "https://example.com/3" }] }, true],
      ["no items", { ...feed, items: [] }, true],
      ["an extension with items of its own before the feed's items", { version: golden.version, title: golden.title, _ext: { items: [{ a: 1 }] }, ...feed }, true],
      ["no version", { ...feed, version: undefined }, false],
      ["version 1, and an item with a title only", { ...feed, version: "https://jsonfeed.org/version/1", items: [{ title: "t" }] }, false],
      ["an item without an id", { ...feed, items: [item, { ...item, id: undefined }] }, false],
      ["an item with a bad date and a number for content_html", { ...feed, items: [{ ...item, date_published: "yesterday", content_html: 3 }] }, false],
      ["an attachment without a mime_type", { ...feed, items: [{ ...item, attachments: [{ url: "https://example.com/a.mp3" }] }] }, false],
      ["an item that is not an object", { ...feed, items: [item, "x"] }, false],
      ["items not an array", { ...feed, items: {} }, false],
      ["not an object", null, false],
    ];
    const textsOf = (whole: string) => whole.split('""');
    for (const [name, value, valid] of feeds) {
      const whole = `${JSON.stringify(value, null, 2)}\n`;
      const expected = checkJsonFeed(whole);
      expect(expected.length === 0, name).toBe(valid);
      expect(checkJsonFeedTexts(textsOf(whole)), name).toEqual(expected);
      // Not vacuous: a feed laid out as the formats lay it out, in several pieces, is checked an item at a time.
      if (Array.isArray((value as { items?: unknown } | null)?.items) && !(value as { items: unknown[] }).items.includes("x")) {
        expect(textsOf(whole).length, name).toBeGreaterThan(1);
        expect(checkByItem(textsOf(whole)), name).toBeDefined();
      }
      // Any other layout is checked whole, with the same answer.
      const compact = JSON.stringify(value);
      expect(checkByItem(textsOf(compact)), name).toBeUndefined();
      expect(checkJsonFeedTexts(textsOf(compact)), name).toEqual(checkJsonFeed(compact));
    }

    // Text the formats would never write, in their layout, where a part does not parse or the rest is wrong.
    const good = `${JSON.stringify({ ...feed, items: [item, { ...item, id: "https://example.com/2" }] }, null, 2)}\n`;
    const broken: [string, string][] = [
      ["a trailing comma in an item", good.replace('"id": "https://example.com/2"', '"id": "https://example.com/2",')],
      ["a trailing comma in the feed", good.replace('"title": ', '"title": "x",,\n  "other": ')],
      ["something after the items", good.replace("\n  ]", "\n  ],\n  \"after\": nope")],
      ["an unknown key after the items", good.replace("\n  ]", '\n  ],\n  "after": 1')],
      ["a second root value", `${good}{}`],
    ];
    for (const [name, whole] of broken) {
      const expected = checkJsonFeed(whole);
      expect(expected.length, name).toBeGreaterThan(0);
      expect([...checkJsonFeedTexts(textsOf(whole))].sort(), name).toEqual([...expected].sort());
    }
  });

  it("the JSON gate an item at a time gives up on text it cannot cut, after a bounded stretch of it", () => {
    // Compact JSON, cut in 20,000 short pieces: no cut is ever found.
    const pieces = Array.from({ length: 20_000 }, (_, index) => `{"id": "${index}", "title": "${"x".repeat(80)}", "summary": `);
    let read = 0;
    const counted = new Proxy(pieces, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) read++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(checkByItem(counted)).toBeUndefined();
    // Far fewer than all of them: the search stops once it has gathered 64 KB without a cut.
    expect(read).toBeGreaterThan(400);
    expect(read).toBeLessThan(1_000);
  });

  it("the JSON gate in pieces finds a piece that is not one JSON string", () => {
    const model = { ...baseModel, items: [] };
    const parts = generateJsonFeedParts(model);
    expect(checkJsonFeedParts(parts)).toEqual([]);
    const broken = [parts[0] as string, '"a", "b"', ...parts.slice(1)];
    expect(checkJsonFeedParts(broken)).toContain("piece 1 is not one JSON string");
  });

  it("the JSON gate of literals made one at a time fails the same way, and names the article", () => {
    const items = ["a.md", "b.md", "c.md"].map((file, index) => ({ ...baseItem, id: `https://example.com/${index}`, file, html: `<p>${index}</p>`, fullContent: true }));
    const model = { ...baseModel, items };
    const good = generateJsonFeedPieces(model);
    // A generator bug that let the second literal out as something else than one JSON string.
    const document = { texts: good.texts, literal: (index: number) => (index === 1 ? '"a", "b"' : good.literal(index)) };
    const parts = document.texts.flatMap((text, index) => (index === 0 ? [text] : [document.literal(index - 1), text]));
    expect(checkJsonFeedParts(parts)).toEqual(["piece 3 is not one JSON string"]);
    const regenerate = (only: FeedItem[]) => (only[0]?.file === "b.md" ? parts.join("") : generateJsonFeed({ ...model, items: only }));
    expect(() => gateJsonFeedPieces({ path: "feed.json", document, items, regenerate, take: () => {} })).toThrow(
      expect.objectContaining({ code: "GATE_FAILED", file: "b.md", message: "generated feed.json is not valid: piece 3 is not one JSON string" }),
    );
    // A skeleton the schema refuses fails before any literal is taken for good.
    expect(() => gateJsonFeedPieces({ path: "feed.json", document: { ...good, texts: ["{}", ...good.texts.slice(1)] }, items, regenerate, take: () => {} })).toThrow(
      expect.objectContaining({ code: "GATE_FAILED" }),
    );
  });

  it("encodes pieces given as UTF-8 bytes among text pieces as the joined text", () => {
    // Bytes come from a JSON literal: they never begin with a lone low surrogate.
    const textPiece = fc.oneof(piece, fc.string({ maxLength: 4 }), fc.constantFrom("\uD83D", "\uDE00", "a\uD83D"));
    const bytesPiece = fc.oneof(piece, fc.string({ maxLength: 4 })).filter((value) => !/^[\uDC00-\uDFFF]/.test(value));
    fc.assert(
      fc.property(fc.array(fc.oneof(textPiece.map((value) => ({ value, bytes: false })), bytesPiece.map((value) => ({ value, bytes: true }))), { maxLength: 10 }), (pieces) => {
        const parts = pieces.map(({ value, bytes }) => (bytes ? Buffer.from(value, "utf8") : value));
        // Text pieces in a row are joined (a surrogate pair they share is one character); a bytes
        // piece stands for its own encoding, so a high surrogate just before it stays alone.
        const out: Buffer[] = [];
        let text = "";
        for (const { value, bytes } of pieces) {
          if (!bytes) text += value;
          else {
            out.push(Buffer.from(text, "utf8"), Buffer.from(value, "utf8"));
            text = "";
          }
        }
        const expected = Buffer.concat([...out, Buffer.from(text, "utf8")]);
        expect(Buffer.concat([...groupParts(parts)]).equals(expected)).toBe(true);
        // Measured once (as a generated document is), then written with the sizes remembered: the
        // same bytes. (A pair split across two text pieces, which generated documents never have,
        // is measured as two lone surrogates.)
        expect(measureParts(parts)).toBe(pieces.reduce((sum, { value }) => sum + Buffer.byteLength(value), 0));
        expect(Buffer.concat([...groupParts(parts)]).equals(expected)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("isJsonString agrees with JSON.parse on any text, and copes with a long one", () => {
    const token = fc.array(fc.oneof(fc.constantFrom('"', "\\", "\\u", "\\uD800", "\\u00e9", "\\n", "\\x", "\n", "\t", "a", "é"), fc.string({ maxLength: 3 })), { maxLength: 8 });
    fc.assert(
      fc.property(token, (parts) => {
        const candidate = `"${parts.join("")}"`;
        let parses: boolean;
        try {
          parses = typeof JSON.parse(candidate) === "string";
        } catch {
          parses = false;
        }
        // With one regular expression, and with the scan that longer tokens get.
        expect(isJsonString(candidate)).toBe(parses);
        expect(isJsonString(candidate, 0)).toBe(parses);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        expect(isJsonString(JSON.stringify(value))).toBe(true);
        expect(isJsonString(JSON.stringify(value), 0)).toBe(true);
      }),
    );
    expect(isJsonString(JSON.stringify("ab\"c\\d\n\u0001é😀".repeat(3_000_000)))).toBe(true);
  });

  it("the XML gate gives the same answer in pieces as whole, for documents good and bad", () => {
    const documents = [
      '<?xml version="1.0"?>\n<rss version="2.0"><channel><item><![CDATA[<p>x]]></item></channel></rss>\n',
      '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="html">a &amp; b</title></entry></feed>',
      "<rss><channel></rss>",
      '<feed xmlns="http://www.w3.org/2005/Atom"><x:y/></feed>',
      "<a>\u0001</a>",
    ];
    expect(documents.map((whole) => checkXml(whole) === undefined)).toEqual([true, true, false, false, false]);
    for (const whole of documents) {
      fc.assert(
        fc.property(splitsOf(whole), (parts) => {
          expect(checkXml(parts) === undefined).toBe(checkXml(whole) === undefined);
        }),
        { numRuns: 100 },
      );
    }
  });

  it("the XML gate skips parsing the HTML in CDATA, and still gives the whole document's answer and message", () => {
    // No lone surrogates: saxes takes "\uD800\uD800" for one character, and splits it across pieces.
    const cdataPiece = fc.constantFrom("]]>", "]]]]><![CDATA[>", "]", "]]", "<![CDATA[", "<p>", "&", "😀", "\uFFFE", "\uFDD0", "\u0001", "\r", "x");
    const body = fc.array(fc.oneof(cdataPiece, fc.string({ maxLength: 3 })), { maxLength: 8 }).map((parts) => parts.join("").replaceAll(LT_MARK, ""));
    // Where an item's HTML goes: in a CDATA section as the formats put it, or (a bug) elsewhere.
    const slot = fc.constantFrom("<c><![CDATA[#]]></c>", "<c>#</c>", "<c><![CDATA[#]]]></c>", "<![CDATA[#]]>", "<c><![CDATA[#]]><c>", "<c><![CDATA[#>x]]></c>");
    fc.assert(
      fc.property(fc.array(fc.tuple(slot, body), { maxLength: 4 }), (items) => {
        const xml = `<?xml version="1.0"?>\n<feed>${items.map(([where], index) => where.replace("#", contentMarker(index))).join("\n")}</feed>`;
        const htmls = items.map(([, html]) => html);
        const parts = finishXmlParts(xml, htmls);
        expect(checkXml(parts)).toBe(checkXml(parts.join("")));
      }),
      { numRuns: 3000 },
    );
    // A `<![CDATA[` that is only text in a comment, a processing instruction or the DOCTYPE, and
    // a character XML 1.1 forbids (found by review): the same answer as the whole string.
    const decl = '<?xml version="1.0"?>';
    for (const parts of [
      [`${decl}<r><!-- <![CDATA[`, "a--b", "]]> --></r>", "\n"],
      [`${decl}<r><!--<![CDATA[`, "--><x", "]]>--></r>", "\n"],
      [`${decl}<r><?pi <![CDATA[`, "?>", "]]>?></r>", "\n"],
      [`${decl}<!DOCTYPE r [<!-- <![CDATA[`, "--", "]]> -->]><r/>", "\n"],
      ['<?xml version="1.1"?><r><![CDATA[', "\u0080", "]]></r>", "\n"],
      [`${decl}<r><![CDATA[x<![CDATA[`, "y]]]]><![CDATA[>", "]]></r>", "\n"],
    ]) {
      expect(checkXml(parts)).toBe(checkXml(parts.join("")));
    }
    expect(isCdataContent("a]]]]><![CDATA[>b")).toBe(true);
    expect(isCdataContent("a]]>b")).toBe(false);
    expect(isCdataContent("a\uD800b")).toBe(false);
    expect(isCdataContent("😀\t\r\n")).toBe(true);
  });

  it("encodes a small document into a buffer of its own size, not a whole write chunk", () => {
    // A build writes hundreds of documents of 200 KB; a 4 MiB buffer for each made V8 collect
    // garbage far more often (a default build of 1,000 articles spent 0.6 s in it).
    const parts = Array.from({ length: 400 }, (_, index) => `<p>${index} é😀 ${"x".repeat(500)}</p>`);
    const chunks = [...groupParts(parts)];
    const bytes = Buffer.from(parts.join(""), "utf8");
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    for (const chunk of chunks) expect(chunk.buffer.byteLength).toBeLessThanOrEqual(bytes.length);
  });

  it("writes pieces given as bytes, and finds a file that holds them unchanged", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "wirefeed-bytes-"));
    dirs.push(dir);
    const parts = ['{"a": ', Buffer.from('"é😀\\n"', "utf8"), ', "b": ', Buffer.from('"x"', "utf8"), "}\n"];
    const want = Buffer.from('{"a": "é😀\\n", "b": "x"}\n', "utf8");
    const first = openOutputWriter(dir);
    first.stage({ path: "feed.json", parts, mediaType: "application/feed+json" });
    expect((await first.commit()).written).toEqual(["feed.json"]);
    expect((await readFile(path.join(dir, "feed.json"))).equals(want)).toBe(true);
    const again = openOutputWriter(dir);
    again.stage({ path: "feed.json", parts, mediaType: "application/feed+json" });
    expect(await again.commit()).toEqual({ written: [], unchanged: ["feed.json"] });
    const changed = openOutputWriter(dir);
    changed.stage({ path: "feed.json", parts: [...parts.slice(0, 3), Buffer.from('"y"', "utf8"), "}\n"], mediaType: "application/feed+json" });
    expect((await changed.commit()).written).toEqual(["feed.json"]);
  });

  // Catches: reading the file already there whole to compare it (issue 7: the previous feed of
  // 50,000 full items was a 490 MB buffer beside the new one), a comparison that misses a change
  // past the first 4 MiB of a chunk or a file one byte longer or shorter, or a handle left open.
  it("compares the file already there with a document a chunk at a time, never reading it whole", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "wirefeed-compare-"));
    dirs.push(dir);
    let largest = 0;
    let open = 0;
    const counting: WriteFs = {
      ...nodeWriteFs,
      openForReading: async (file: string) => {
        const handle = await nodeWriteFs.openForReading(file);
        open++;
        return {
          stat: () => handle.stat(),
          read: (buffer: Buffer, offset: number, length: number, position: number) => {
            largest = Math.max(largest, length);
            return handle.read(buffer, offset, length, position);
          },
          close: () => {
            open--;
            return handle.close();
          },
        };
      },
    };
    // What an earlier writer read the file with, and so what the test counts too.
    Object.assign(counting, {
      readFile: async (file: string) => {
        const bytes = await nodeFs.readFile(file);
        largest = Math.max(largest, bytes.length);
        return bytes;
      },
    });
    const parts = Array.from({ length: 40 }, (_, index) => `<p>${index} é ${"x".repeat(500_000)}</p>`);
    const whole = parts.join("");
    const big = `${"é".repeat(5_000_000)}x`;
    const cases: [string, string, { parts: string[] } | { contents: string } | { bytes: Buffer }, boolean][] = [
      ["pieces, the same", whole, { parts }, false],
      ["pieces, the last character changed", whole, { parts: [...parts.slice(0, -1), (parts.at(-1) as string).replace("x<", "y<")] }, true],
      ["pieces, one byte more than the file", whole, { parts: [...parts, "!"] }, true],
      ["pieces, one byte fewer than the file", `${whole}!`, { parts }, true],
      ["one piece over 4 MiB, the same", big, { parts: [big] }, false],
      ["one piece over 4 MiB, its last character changed", big, { parts: [`${big.slice(0, -1)}y`] }, true],
      ["text over 4 MiB, the same", big, { contents: big }, false],
      ["text over 4 MiB, its last character changed", big, { contents: `${big.slice(0, -1)}y` }, true],
      ["bytes, the same", whole, { bytes: Buffer.from(whole) }, false],
      ["bytes, one byte fewer than the file", whole, { bytes: Buffer.from(whole.slice(0, -1)) }, true],
    ];
    // Bytes of another size than the file are known to differ without reading it.
    const unread = new Set(["bytes, one byte fewer than the file"]);
    for (const [name, before, document, changed] of cases) {
      const file = path.join(dir, "feed.xml");
      await nodeFs.writeFile(file, before);
      largest = 0;
      const writer = openOutputWriter(dir, counting);
      writer.stage({ path: "feed.xml", mediaType: "application/rss+xml", ...document });
      expect((await writer.commit()).written, name).toEqual(changed ? ["feed.xml"] : []);
      if (unread.has(name)) expect(largest, name).toBe(0);
      else expect(largest, name).toBeGreaterThan(0);
      expect(largest, name).toBeLessThanOrEqual(4 << 20);
      expect(open, name).toBe(0);
      const want = "parts" in document ? document.parts.join("") : "contents" in document ? document.contents : document.bytes.toString();
      expect((await nodeFs.readFile(file, "utf8")) === want, name).toBe(true);
    }
  });

  it("writes a document's pieces as its bytes, and leaves a file that already holds them untouched", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "wirefeed-parts-"));
    dirs.push(dir);
    // More than one write chunk (4 MiB), with multi-byte characters across piece boundaries, a
    // piece larger than a chunk, and an emoji whose surrogate pair two pieces share.
    const parts = [
      ...Array.from({ length: 9000 }, (_, index) => `<p>${index} é😀 ${"x".repeat(500)}</p>`),
      "é".repeat(1_500_000),
      "a\uD83D",
      "",
      "\uDE00b",
      "\uD83D",
    ];
    const first = openOutputWriter(dir);
    first.stage({ path: "feed.xml", parts, mediaType: "application/rss+xml" });
    expect((await first.commit()).written).toEqual(["feed.xml"]);
    const holds = async (text: string) => (await readFile(path.join(dir, "feed.xml"))).equals(Buffer.from(text, "utf8"));
    expect(await holds(parts.join(""))).toBe(true);
    const before = await stat(path.join(dir, "feed.xml"));
    const again = openOutputWriter(dir);
    again.stage({ path: "feed.xml", parts, mediaType: "application/rss+xml" });
    expect(await again.commit()).toEqual({ written: [], unchanged: ["feed.xml"] });
    expect((await stat(path.join(dir, "feed.xml"))).mtimeMs).toBe(before.mtimeMs);
    // One character changed in the last piece, or one byte more: written again.
    for (const changed of [[...parts.slice(0, -1), `${parts.at(-1)?.slice(0, -1)}!`], [...parts, "!"], parts.slice(0, -1)]) {
      const writer = openOutputWriter(dir);
      writer.stage({ path: "feed.xml", parts: changed, mediaType: "application/rss+xml" });
      expect((await writer.commit()).written).toEqual(["feed.xml"]);
      expect(await holds(changed.join(""))).toBe(true);
    }
  });
});
