// The schema compiled by ajv ahead of time (scripts/generate-json-feed-validator.ts): loading ajv
// and compiling the schema cost each build that generates a feed about 60 ms (issue 7).
import { createJsonFeedSplit } from "../split-json-feed.ts";
import { type Validator, validate, validateItem } from "./jsonfeed-1.1.validate.mjs";

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
  return [...problemsOf(validate, document, ""), ...versionProblems(document)];
}

/** What `validator` finds wrong with `value`, which sits at `path` in the feed. */
function problemsOf(validator: Validator, value: unknown, path: string): string[] {
  if (validator(value)) return [];
  return (validator.errors ?? []).map((error) => `${path + error.instancePath || "/"} ${error.message ?? "is invalid"}`);
}

function versionProblems(document: unknown): string[] {
  return (document as { version?: unknown } | null)?.version === JSON_FEED_VERSION ? [] : [`/version must be ${JSON_FEED_VERSION}`];
}

/**
 * `checkJsonFeed` of `texts.join('""')` (a feed's text with `""` for each string literal, as the
 * gate has it), made an item at a time when the text is laid out as `JSON.stringify(feed, null,
 * 2)` lays out a feed (issue 7: at 50,000 items, the whole text and its parse held 85 MB more).
 * Any other text, or one that does not parse, is checked whole.
 */
export function checkJsonFeedTexts(texts: readonly string[]): string[] {
  return checkByItem(texts) ?? checkJsonFeed(texts.join('""'));
}

/**
 * Most characters gathered while looking for the next cut: past this the text is checked whole.
 * Far more than an item's text holds without its HTML, and it keeps the search for a cut that
 * never comes (text not laid out as expected) short.
 */
const MAX_PART = 64 * 1024;

/**
 * The problems of the feed `texts.join('""')`, found an item at a time; undefined when the text
 * is not laid out as expected, or a part of it does not parse, to be checked whole. The text is
 * cut by `createJsonFeedSplit`. The feed with an empty `items` (the first and last cuts joined)
 * gets the whole check, and each item the schema of an item.
 *
 * When every part is valid, so is the feed: a raw line break is whitespace in JSON, so the parts
 * parse together as the feed with those items, and the schema says nothing of `items` but that
 * it is an array of such items. The reverse holds for the text `JSON.stringify` writes; in text
 * it never writes (a key `"items"` repeated, or nested at the root's indent) the parts may find a
 * problem the whole check would not, never one fewer. Problems come in the whole check's order
 * (the feed's, each item's as `/items/3/url ...`, the version's), but for unknown keys of the
 * feed, which come first here.
 */
export function checkByItem(texts: readonly string[]): string[] | undefined {
  const problems: string[] = [];
  const split = createJsonFeedSplit((text, index) => {
    let item: unknown;
    try {
      item = JSON.parse(text);
    } catch {
      return false;
    }
    problems.push(...problemsOf(validateItem, item, `/items/${index}`));
    return true;
  }, MAX_PART);
  for (let next = 0; next < texts.length; next++) {
    if (!split.write((next > 0 ? '""' : "") + (texts[next] as string))) return undefined;
  }
  const envelope = split.end();
  if (envelope === undefined) return undefined;
  let feed: unknown;
  try {
    feed = JSON.parse(envelope.head + envelope.tail);
  } catch {
    return undefined;
  }
  return [...problemsOf(validate, feed, ""), ...problems, ...versionProblems(feed)];
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
 * literal gets the whole check (`checkJsonFeedTexts`); each literal must be one JSON string, and nothing else. A JSON
 * string can stand wherever another does, so together the pieces are valid exactly when the
 * whole is, and no string of the whole document's size is ever made.
 */
export function checkJsonFeedParts(parts: readonly string[]): string[] {
  const texts = parts.filter((_part, index) => index % 2 === 0);
  const problems = checkJsonFeedTexts(texts);
  for (let index = 1; index < parts.length; index += 2) {
    if (!isJsonString(parts[index] as string)) problems.push(`piece ${index} is not one JSON string`);
  }
  return problems;
}
