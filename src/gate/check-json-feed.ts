// The schema compiled by ajv ahead of time (scripts/generate-json-feed-validator.ts): loading ajv
// and compiling the schema cost each build that generates a feed about 60 ms (issue 7).
import validate from "./jsonfeed-1.1.validate.mjs";

/** Asserted on its own: the schema also accepts version 1. */
const JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1";

/** JSON Feed 1.1 schema check plus the exact version string. Returns the problems found. */
export function checkJsonFeed(text: string): string[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return [`not valid JSON: ${(error as Error).message}`];
  }
  const problems = validate(document)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? "is invalid"}`);
  if ((document as { version?: unknown }).version !== JSON_FEED_VERSION) {
    problems.push(`/version must be ${JSON_FEED_VERSION}`);
  }
  return problems;
}

/** One JSON string token: every character one at a time, so that a failed match backtracks linearly. */
const JSON_STRING = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/;

/**
 * Longest token JSON_STRING checks: its backtracking stack overflows at about ten million
 * characters on Node 20 (a long article's HTML), so a longer token is scanned instead.
 */
const ONE_PASS_LIMIT = 1 << 20;

/**
 * Whether `text` is one JSON string token (RFC 8259 §7), checked without making the string it
 * stands for: with one regular expression up to `onePassLimit` characters (issue 7: five times as
 * fast as the scan on HTML, whose quotes are all escaped), else by a scan from one quote,
 * backslash or control character to the next.
 */
export function isJsonString(text: string, onePassLimit = ONE_PASS_LIMIT): boolean {
  if (text.length <= onePassLimit) return JSON_STRING.test(text);
  const end = text.length - 1;
  if (end < 1 || text[0] !== '"' || text[end] !== '"') return false;
  const special = /["\\\u0000-\u001f]/g;
  special.lastIndex = 1;
  for (;;) {
    const match = special.exec(text);
    // None left: an escape took the closing quote.
    if (match === null) return false;
    const at = match.index;
    if (at === end) return true;
    if (text[at] !== "\\") return false;
    const next = text[at + 1];
    if (next === "u") {
      if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) return false;
      special.lastIndex = at + 6;
    } else if (next !== undefined && '"\\/bfnrt'.includes(next)) special.lastIndex = at + 2;
    else return false;
  }
}

/**
 * The same check of a document in pieces (issue 7): document text and string literals in turn, a
 * literal at every odd index (`generateJsonFeedParts`). The text with an empty string for every
 * literal gets the whole check; each literal must be one JSON string, and nothing else. A JSON
 * string can stand wherever another does, so together the pieces are valid exactly when the
 * whole is, and no string of the whole document's size is ever made.
 */
export function checkJsonFeedParts(parts: readonly string[]): string[] {
  const texts = parts.filter((_part, index) => index % 2 === 0);
  const problems = checkJsonFeed(texts.join('""'));
  for (let index = 1; index < parts.length; index += 2) {
    if (!isJsonString(parts[index] as string)) problems.push(`piece ${index} is not one JSON string`);
  }
  return problems;
}
