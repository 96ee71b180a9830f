import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compareFeedItems, digestFeedLines, digestFeedText, listFirstBuild, readFeedItems } from "../../src/cli/compare-feed-items.ts";
import { build } from "../../src/pipeline.ts";
import { FIXED_NOW, article, makeTempDir, makeTempSite } from "../helpers.ts";

describe("the changes of a first build", () => {
  // Catches: a first-build summary read from the model that differs from parsing feed.json
  // (order, ids, titles, or something other than "added").
  it("are the feed's items, as parsing the written feed.json gives them", async () => {
    const dir = await makeTempSite({
      "articles/a.md": article({ title: "Q&A: \"quoted\" <b>", date: "2025-05-03T10:00:00Z" }),
      "articles/b.md": article({ title: "México hoy", date: "2025-05-04T10:00:00Z", id: "https://example.com/ids/b" }),
      "articles/c.md": article({ title: "Third", date: "2025-05-02T10:00:00Z" }),
    });
    const result = await build({ cwd: dir, now: new Date(FIXED_NOW), write: false });
    const json = result.files.find((file) => file.path === "feed.json")?.contents as string;
    const fromModel = listFirstBuild(result.model?.items ?? []);
    expect(fromModel).toEqual(compareFeedItems(undefined, digestFeedText(json)));
    expect(fromModel.added.map((item) => item.title)).toEqual(["México hoy", 'Q&A: "quoted" <b>', "Third"]);
  });
});

/** `text` with the last `from` in it replaced: the feed's root authors come before the items in the same layout. */
function replaceLast(text: string, from: string, to: string): string {
  const at = text.lastIndexOf(from);
  return at < 0 ? text : text.slice(0, at) + to + text.slice(at + from.length);
}

/** A feed.json as the build writes it: several items with authors, tags, a footnote, an image and non-ASCII text. */
async function builtFeed(): Promise<string> {
  const dir = await makeTempSite({
    "articles/a.md": article({ title: "Q&A: \"quoted\" <b> \u2028 line", date: "2025-05-03T10:00:00Z", tags: ["Mexico", "Trade"] }, "Text[^1] with ![a map](map.png).\n\n[^1]: A note.\n"),
    "articles/b.md": article({ title: "México hoy", date: "2025-05-04T10:00:00Z", author: { name: "Ana", url: "https://example.com/ana" } }, "Un {objeto} con } y {.\n"),
    "articles/c.md": article({ title: "Long", date: "2025-05-02T10:00:00Z" }, `${"é😀 and more, ".repeat(120_000)}\n`),
  });
  const result = await build({ cwd: dir, now: new Date(FIXED_NOW), write: false });
  return result.files.find((file) => file.path === "feed.json")?.contents as string;
}

describe("a JSON Feed's items read a line at a time", async () => {
  const text = await builtFeed();
  const document = JSON.parse(text) as { items: Record<string, unknown>[] } & Record<string, unknown>;
  const laidOut = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const [first, second, third] = document.items;
  // Each: the text, and whether the streamed path must take it (else it must leave it to the whole parse).
  const cases: [string, string, boolean][] = [
    ["as the build writes it", text, true],
    ["without a final line break", text.trimEnd(), true],
    ["with an item's id repeated (the later one counts)", laidOut({ ...document, items: [first, second, { ...third, id: first?.id }] }), true],
    ["with items without a string id", laidOut({ ...document, items: [{ ...first, id: 5 }, { title: "no id" }, second] }), true],
    ["with `items` nested in an extension before the items and inside one", laidOut({ _x: { items: [{ id: "nested" }] }, ...document, items: [{ ...first, _y: { items: [1] } }] }), true],
    ["with the items key first", laidOut(Object.fromEntries([["items", document.items], ...Object.entries(document).filter(([key]) => key !== "items")])), true],
    ["on one line", JSON.stringify(document), true],
    ["indented by four", JSON.stringify(document, null, 4), true],
    ["indented by tabs", JSON.stringify(document, null, "\t"), true],
    ["with no items", laidOut({ ...document, items: [] }), false],
    ["with an item that is not an object", laidOut({ ...document, items: [first, null, second] }), false],
    ["with CRLF line ends", text.replaceAll("\n", "\r\n"), false],
    ["with a trailing comma in an item", text.replace(/("id": "[^"]*"),/, "$1,,"), false],
    ["with a comma missing between items", replaceLast(text, "\n    },\n    {", "\n    }\n    {"), false],
    ["with a comma after the last item", replaceLast(text, "\n    }\n  ]", "\n    },\n  ]"), false],
    ["with the root's items a string like a stand-in, and the items nested", `{"items": ["\\u0000items"],${text.slice(1).replace('  "items": [', '  "x": {\n  "items": [').replace(/\n}\n?$/, "\n  }\n}\n")}`, false],
    ["with an empty items array on the first line and the items nested", `{"items": [],${text.slice(1).replace('  "items": [', '  "x": {\n  "items": [').replace(/\n}\n?$/, "\n  }\n}\n")}`, false],
    ["with junk after the feed", `${text}x`, false],
    ["with a second items key after the items", text.replace(/\n}\n?$/, ',\n  "items": [\n  ]\n}\n'), false],
    ["with the items array nested at the root's indent", text.replace('  "items": [', '  "x": {\n  "items": [').replace(/\n}\n?$/, "\n  }\n}\n"), false],
    ["that is not JSON", "not json", false],
    ["with no items array", laidOut({ ...document, items: { a: 1 } }), false],
  ];

  it("each case but the first two alters the build's text", () => {
    for (const [name, feed] of cases.slice(2)) expect(feed.trimEnd(), name).not.toBe(text.trimEnd());
  });

  // Catches: the streamed reader finding other items, titles, dates or contents than parsing the
  // whole text does, or taking a text it cannot cut safely (which the whole parse would read otherwise).
  it.each(cases)("%s: the same as parsing it whole", async (_name, feed, streamed) => {
    const whole = digestFeedText(feed);
    const lines = digestFeedLines(feed.split("\n"));
    if (streamed) expect(lines).toEqual(whole);
    else expect(lines).toBeUndefined();
    const file = path.join(await makeTempDir(), "feed.json");
    await writeFile(file, feed);
    expect(await readFeedItems(file)).toEqual(whole);
  });

  it("the build's feed has the items it holds, each with its title, date and a digest of its content", () => {
    const items = digestFeedText(text);
    expect([...(items?.keys() ?? [])]).toEqual(document.items.map((item) => item.id));
    expect(items?.get(document.items[0]?.id as string)).toEqual({ title: document.items[0]?.title, dateModified: document.items[0]?.date_modified, content: expect.stringMatching(/^[\w+/]{43}=$/) });
    expect(new Set([...(items?.values() ?? [])].map((item) => item.content)).size).toBe(3);
  });

  // Catches: decoding each chunk of the file on its own, which splits a character across two.
  it("a character across the boundary of two reads is read whole", async () => {
    const dir = await makeTempDir();
    for (const shift of [1, 2, 3]) {
      const item = { id: "a", title: "A", content_html: "" };
      const head = Buffer.byteLength(laidOut({ ...document, items: [item] }).split('"content_html": ""')[0] as string) + '"content_html": "'.length;
      // "😀" is 4 bytes: it starts `shift` bytes before the first read (1 MiB) ends.
      const html = `${"x".repeat((1 << 20) - head - shift)}😀 and é`;
      const feed = laidOut({ ...document, items: [{ ...item, content_html: html }] });
      expect(Buffer.from(feed).indexOf("😀")).toBe((1 << 20) - shift);
      const file = path.join(dir, `feed-${shift}.json`);
      await writeFile(file, feed);
      expect(await readFeedItems(file)).toEqual(digestFeedText(feed));
      expect((await readFeedItems(file))?.get("a")?.content).toBe(digestFeedText(laidOut({ items: [{ id: "a", content_html: html }] }))?.get("a")?.content);
    }
  });

  it("no file is no previous feed", async () => {
    expect(await readFeedItems(path.join(await makeTempDir(), "none.json"))).toBeUndefined();
  });
});

describe("comparing two feeds' items", () => {
  const feed = (...items: Record<string, unknown>[]) => digestFeedText(JSON.stringify({ items }));
  const base = { id: "a", title: "A", date_modified: "2025-05-03T10:00:00Z", content_html: "<p>x</p>" };

  // Catches: a change that goes unreported, or one reported for the wrong reason; a digest that
  // leaves out the text, the type or the length of a field, or merges lone surrogates.
  it.each([
    ["the title", {}, { title: "B" }, ["title"]],
    ["the date", {}, { date_modified: "2025-05-04T10:00:00Z" }, ["date_modified"]],
    ["the HTML", {}, { content_html: "<p>y</p>" }, ["content"]],
    ["the text alone", { content_text: "ab" }, { content_text: "ac" }, ["content"]],
    ["the HTML moved to text", {}, { content_html: undefined, content_text: "<p>x</p>" }, ["content"]],
    ["a character moved from the HTML to the text", { content_html: "ab", content_text: "c" }, { content_html: "a", content_text: "bc" }, ["content"]],
    ["HTML and text whose texts join the same", { content_html: "astring:b" }, { content_html: "a", content_text: "bundefined:undefined" }, ["content"]],
    ["null to the string null", { content_html: null }, { content_html: "null" }, ["content"]],
    ["one lone surrogate to another", { content_html: "\ud800" }, { content_html: "\udc00" }, ["content"]],
    ["a lone surrogate to U+FFFD", { content_html: "\ud800" }, { content_html: "\ufffd" }, ["content"]],
    ["title and HTML", {}, { title: "B", content_html: "" }, ["title", "content"]],
    ["nothing", { content_text: "ab" }, { content_text: "ab" }, []],
  ])("a change of %s", (_name, before, after, reasons) => {
    const previous = feed({ ...base, ...before }, { ...base, id: "b" });
    const next = feed({ ...base, ...before, ...after }, { ...base, id: "b" });
    const title = (after as { title?: string }).title ?? "A";
    expect(compareFeedItems(previous, next)).toEqual({ hadPrevious: true, added: [], changed: reasons.length > 0 ? [{ id: "a", title, reasons }] : [], removed: [] });
  });

  it("a number to another whose JSON is the same (1e400 and -1e400 parse as ±Infinity)", () => {
    const [previous, next] = ["1e400", "-1e400"].map((html) => digestFeedText(`{"items": [{"id": "a", "content_html": ${html}}]}`));
    expect(compareFeedItems(previous, next).changed).toEqual([{ id: "a", title: "(untitled)", reasons: ["content"] }]);
  });

  it("added, removed and unchanged items, and no previous feed", () => {
    const previous = feed(base, { id: "gone", content_html: "" });
    const next = feed(base, { id: "new", title: "New" });
    expect(compareFeedItems(previous, next)).toEqual({ hadPrevious: true, added: [{ id: "new", title: "New" }], changed: [], removed: [{ id: "gone", title: "(untitled)" }] });
    expect(compareFeedItems(undefined, next)).toEqual({ hadPrevious: false, added: [{ id: "a", title: "A" }, { id: "new", title: "New" }], changed: [], removed: [] });
    expect(compareFeedItems(previous, undefined)).toEqual({ hadPrevious: true, added: [], changed: [], removed: [{ id: "a", title: "A" }, { id: "gone", title: "(untitled)" }] });
  });
});
