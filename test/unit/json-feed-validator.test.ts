import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import * as ajvFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { VALIDATOR_FILE, generateValidatorSource } from "../../scripts/generate-json-feed-validator.ts";
import { validate } from "../../src/gate/jsonfeed-1.1.validate.mjs";

/**
 * Issue 7: the gate checks JSON Feeds with the schema compiled ahead of time. It must be what the
 * generator makes from the schema and the installed ajv today, and decide exactly as ajv
 * compiling the schema at run time does.
 */

function compileAtRunTime() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  (ajvFormats.default as unknown as (ajv: Ajv) => Ajv)(ajv);
  return ajv.compile(JSON.parse(readFileSync(new URL("../../src/gate/jsonfeed-1.1.schema.json", import.meta.url), "utf8")) as object);
}

const golden = JSON.parse(readFileSync(new URL("../golden/sample/feed.json", import.meta.url), "utf8")) as Record<string, unknown> & { items: Record<string, unknown>[] };
const item = golden.items[0] as Record<string, unknown>;

const DOCUMENTS: [string, unknown][] = [
  ["the golden feed", golden],
  ["no items", { ...golden, items: [] }],
  ["no version", { ...golden, version: undefined }],
  ["version not a URI", { ...golden, version: "1.1" }],
  ["no title", { ...golden, title: undefined }],
  ["home_page_url not a URI", { ...golden, home_page_url: "not a url" }],
  ["items not an array", { ...golden, items: {} }],
  ["an item without an id", { ...golden, items: [{ ...item, id: undefined }] }],
  ["an item with a number for content_html", { ...golden, items: [{ ...item, content_html: 3 }] }],
  ["an item with a bad date", { ...golden, items: [{ ...item, date_published: "yesterday" }] }],
  ["an attachment without a mime_type", { ...golden, items: [{ ...item, attachments: [{ url: "https://example.com/a.mp3" }] }] }],
  ["authors not objects", { ...golden, authors: ["A"] }],
  ["hubs without a url", { ...golden, hubs: [{ type: "WebSub" }] }],
  ["not an object", [1, 2]],
];

describe("the JSON Feed validator compiled ahead of time", () => {
  it("is what the generator makes today (run `npx tsx scripts/generate-json-feed-validator.ts` if not)", () => {
    expect(readFileSync(VALIDATOR_FILE, "utf8")).toBe(generateValidatorSource());
  });

  it("decides as ajv compiling the schema at run time does, with the same errors", () => {
    const atRunTime = compileAtRunTime();
    const verdicts = DOCUMENTS.map(([name, document]) => {
      const json = JSON.parse(JSON.stringify(document)) as unknown;
      const ahead = { valid: validate(json), errors: (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`) };
      const runtime = { valid: atRunTime(json), errors: (atRunTime.errors ?? []).map((error) => `${error.instancePath} ${error.message}`) };
      expect(ahead, name).toEqual(runtime);
      return ahead.valid;
    });
    // Not vacuous: both answers occur.
    expect(verdicts.filter(Boolean).length).toBe(2);
  });
});
