import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { generateDocument } from "../../src/documents/generate-document.ts";
import { spillItems } from "../../src/documents/spill-items.ts";
import { WirefeedError } from "../../src/errors.ts";
import { FORMATS } from "../../src/formats/registry.ts";
import type { FeedItem, FeedModel } from "../../src/model/types.ts";
import { openSpill } from "../../src/output/spill.ts";
import { type DocumentPiece, groupParts, measureParts } from "../../src/output/write.ts";
import { makeTempDir } from "../helpers.ts";
import { baseItem, baseModel } from "../support/feed-model.ts";

/** What spillItems did, in order, in the test that reads it: the gate's calls are recorded here. */
const steps = vi.hoisted(() => [] as string[]);
vi.mock("../../src/gate/gate-output.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/gate/gate-output.ts")>();
  return {
    ...actual,
    gateOutput: (...args: Parameters<typeof actual.gateOutput>) => {
      steps.push("gate");
      return actual.gateOutput(...args);
    },
    gateJsonFeedPieces: (...args: Parameters<typeof actual.gateJsonFeedPieces>) => {
      steps.push("gate");
      return actual.gateJsonFeedPieces(...args);
    },
  };
});

/** The system temp folder is a fresh one for each test, so that what a spill leaves there shows. */
let temp: string;
let before: string | undefined;
beforeEach(async () => {
  temp = await makeTempDir("wirefeed-spill-tmpdir-");
  before = process.env.TMPDIR;
  process.env.TMPDIR = temp;
});
afterEach(() => {
  if (before === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = before;
});

const bytesOf = (parts: readonly DocumentPiece[]) => Buffer.concat([...groupParts(parts)]);

describe("a spill file (issue 7)", () => {
  it("gives back each piece's UTF-8 in its place among text and bytes, across write chunks, and is gone once removed", async () => {
    const spill = openSpill();
    // Short and long, one- to four-byte characters, one piece over the 1 MB write buffer and one
    // over the writer's 4 MB chunk.
    const texts = ["<p>a</p>", "“curly” é 漢字 😀", "x".repeat(1_500_000) + "é", "b", "😀".repeat(1_200_000), ""];
    const spilled = texts.map((text) => spill.append(text));
    expect(spilled.map((piece) => piece.length)).toEqual(texts.map((text) => Buffer.byteLength(text)));
    const parts: DocumentPiece[] = ["<doc>", spilled[0], Buffer.from("bytes ü"), spilled[1], "text 😀", spilled[2], spilled[3], "", spilled[4], spilled[5], "</doc>"].map(
      (part) => part as DocumentPiece,
    );
    const joined = ["<doc>", texts[0], "bytes ü", texts[1], "text 😀", texts[2], texts[3], "", texts[4], texts[5], "</doc>"].join("");
    expect(measureParts(parts)).toBe(Buffer.byteLength(joined));
    expect(bytesOf(parts).equals(Buffer.from(joined, "utf8"))).toBe(true);
    // Read again, in another order: a piece is read where it is, not from where the last read ended.
    expect(bytesOf([spilled[3], spilled[0]] as DocumentPiece[]).toString("utf8")).toBe(`${texts[3]}${texts[0]}`);

    expect((await readdir(temp)).filter((name) => name.startsWith("wirefeed-spill-"))).toHaveLength(1);
    spill.remove();
    expect(await readdir(temp)).toEqual([]);
    expect(() => bytesOf([spilled[0]] as DocumentPiece[])).toThrow(/removed/);
    spill.remove();
  });

  it("starts afresh after a reset: the file is emptied, and a piece from before is not read", async () => {
    const spill = openSpill();
    try {
      const before = spill.append("x".repeat(2_000_000));
      expect(bytesOf([before]).length).toBe(2_000_000);
      spill.reset();
      const after = spill.append("after “reset”");
      expect(after.offset).toBe(0);
      expect(bytesOf([after]).toString("utf8")).toBe("after “reset”");
      expect(() => bytesOf([before])).toThrow(/reset or removed/);
      const [name] = await readdir(temp);
      expect((await stat(path.join(temp, name as string, "pieces"))).size).toBe(after.length);
    } finally {
      spill.remove();
    }
  });

  it("makes no file until a piece is written out", async () => {
    const spill = openSpill();
    spill.remove();
    expect(await readdir(temp)).toEqual([]);
  });
});

describe("spillItems (issue 7)", () => {
  const paths = { rss: "rss.xml", atom: "atom.xml", json: "feed.json" };
  const itemsOf = (htmls: string[]): FeedItem[] =>
    htmls.map((html, index) => ({ ...baseItem, id: `https://example.com/${index}`, file: `articles/${index}.md`, html, fullContent: index !== 1 }));

  it("makes each format's document byte for byte as generateDocument does from the whole model", () => {
    const items = itemsOf(["<p>a ]]> b “c” 😀</p>", "<p>no full content</p>", '<p>"quoted" \\ back</p>', ""]);
    const model: FeedModel = { ...baseModel, items };
    const spill = openSpill();
    try {
      const spilled = spillItems(spill, paths);
      const kept = { ...model, items: items.map((item) => spilled.add(item)) };
      expect(kept.items.some((item) => item.html.includes("😀"))).toBe(false);
      for (const format of FORMATS) {
        const whole = generateDocument(format, model, paths[format.key], { encodeLiterals: true });
        const made = spilled.generate(format, kept);
        expect(made.bytes).toBe(whole.bytes);
        expect(bytesOf(made.parts).toString("utf8")).toBe(bytesOf(whole.parts).toString("utf8"));
        expect(made.parts.some((part) => typeof part === "object" && "spill" in part)).toBe(true);
      }
    } finally {
      spill.remove();
    }
  });

  it("calls collectGarbage before each document is made and again before it is gated, with the same bytes", () => {
    const items = itemsOf(["<p>a ]]> b</p>", "<p>no full content</p>", "<p>c</p>"]);
    const spill = openSpill();
    try {
      const plain = spillItems(spill, paths);
      const collected = spillItems(spill, paths, () => steps.push("collect"));
      const plainModel = { ...baseModel, items: items.map((item) => plain.add(item)) };
      const collectedModel = { ...baseModel, items: items.map((item) => collected.add(item)) };
      for (const format of FORMATS) {
        // The format records when it makes the document's text.
        const recorded = {
          ...format,
          generateParts: (model: FeedModel) => {
            steps.push("make");
            return format.generateParts(model);
          },
          ...(format.generatePieces
            ? {
                generatePieces: (model: FeedModel) => {
                  steps.push("make");
                  return (format.generatePieces as NonNullable<typeof format.generatePieces>)(model);
                },
              }
            : {}),
        };
        steps.length = 0;
        const made = collected.generate(recorded, collectedModel);
        expect(steps).toEqual(["collect", "make", "collect", "gate"]);
        expect(bytesOf(made.parts).toString("utf8")).toBe(bytesOf(plain.generate(format, plainModel).parts).toString("utf8"));
      }
    } finally {
      spill.remove();
    }
  });

  it.each([
    ["an XML-invalid character", "<p>a\u0001b</p>", "rss.xml"],
    ["a lone surrogate", "<p>a\uD800b</p>", "rss.xml"],
  ])("refuses HTML with %s, naming the article's file, before anything is spilled", (_name, html, path) => {
    const spill = openSpill();
    try {
      const spilled = spillItems(spill, paths);
      const [item] = itemsOf([html]);
      let error: unknown;
      try {
        spilled.add(item as FeedItem);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(WirefeedError);
      expect(error).toMatchObject({ code: "GATE_FAILED", file: "articles/0.md" });
      expect((error as Error).message).toContain(`generated ${path} is not valid`);
    } finally {
      spill.remove();
    }
  });
});
