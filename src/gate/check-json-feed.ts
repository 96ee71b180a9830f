import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import * as ajvFormats from "ajv-formats";

// ajv-formats is CommonJS with `exports.default`; under Node's ESM interop the plugin is that property.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

/** Asserted on its own: the schema also accepts version 1. */
const JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1";

let validate: ReturnType<Ajv["compile"]> | undefined;

function compileSchema(): ReturnType<Ajv["compile"]> {
  const schema = JSON.parse(readFileSync(new URL("./jsonfeed-1.1.schema.json", import.meta.url), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** JSON Feed 1.1 schema check plus the exact version string. Returns the problems found. */
export function checkJsonFeed(text: string): string[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return [`not valid JSON: ${(error as Error).message}`];
  }
  validate ??= compileSchema();
  const problems = validate(document)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? "is invalid"}`);
  if ((document as { version?: unknown }).version !== JSON_FEED_VERSION) {
    problems.push(`/version must be ${JSON_FEED_VERSION}`);
  }
  return problems;
}
