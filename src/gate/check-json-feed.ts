// The schema compiled by ajv ahead of time (scripts/generate-json-feed-validator.ts): loading ajv
// and compiling the schema cost each build that generates a feed about 60 ms (issue 7).
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
  const problems = problemsOf(validate, document, "");
  if ((document as { version?: unknown }).version !== JSON_FEED_VERSION) {
    problems.push(`/version must be ${JSON_FEED_VERSION}`);
  }
  return problems;
}

/** What `validator` finds wrong with `value`, which sits at `path` in the feed. */
function problemsOf(validator: Validator, value: unknown, path: string): string[] {
  if (validator(value)) return [];
  return (validator.errors ?? []).map((error) => `${path + error.instancePath || "/"} ${error.message ?? "is invalid"}`);
}

/**
 * `checkJsonFeed` of `texts.join('""')` (a feed's text with `""` for each string literal, as the
 * gate has it), made an item at a time when the text is laid out as `JSON.stringify(feed, null,
 * 2)` lays out a feed with `items` last (issue 7: at 50,000 items, the whole text and its parse
 * held 150 MB more). Any other text is checked whole, so the verdict never depends on the layout.
 */
export function checkJsonFeedTexts(texts: readonly string[]): string[] {
  return checkByItem(texts) ?? checkJsonFeed(texts.join('""'));
}

/** Where the items array opens: `"items"` is a key of the feed itself, at one indent. */
const ITEMS_OPEN = '\n  "items": [';
/** An item opens and closes at two indents: deeper braces are indented further. */
const ITEM_OPEN = "\n    {";
const ITEM_CLOSE = "\n    }";
const NEXT_ITEM = `,${ITEM_OPEN}`;
const ITEMS_CLOSE = "\n  ]";

/**
 * The problems of the feed `texts.join('""')`, found an item at a time; undefined when the text
 * is not laid out as expected (or an item's text is not JSON), to be checked whole. The text is
 * cut into the feed up to `[`, each item from `{` to its `}`, the exact `,` and line break between
 * two items, and the rest from the closing `]` on. The feed with an empty `items` (the first and
 * last cuts joined) gets the whole check, and each item the schema of an item: the feed is valid
 * exactly when all of them are, since the schema says nothing of `items` but that it is an array
 * of such items. An item's problems carry its path (`/items/3/url ...`), as in the whole check.
 */
export function checkByItem(texts: readonly string[]): string[] | undefined {
  const problems: string[] = [];
  let buffer = "";
  let next = 0;
  /** Add the next piece to the buffer; false when there is none. */
  const more = (): boolean => {
    if (next >= texts.length) return false;
    buffer += (next > 0 ? '""' : "") + (texts[next++] as string);
    return true;
  };
  let at = buffer.indexOf(ITEMS_OPEN);
  while (at < 0) {
    if (!more()) return undefined;
    at = buffer.indexOf(ITEMS_OPEN);
  }
  const head = buffer.slice(0, at + ITEMS_OPEN.length);
  buffer = buffer.slice(at + ITEMS_OPEN.length);
  for (let index = 0; ; index++) {
    // What follows `[` or an item: the next item's `{` (after a comma, but for the first), or the end of the array.
    const open = index === 0 ? ITEM_OPEN : NEXT_ITEM;
    const close = index === 0 ? "]" : ITEMS_CLOSE;
    while (!buffer.startsWith(open) && !buffer.startsWith(close) && (open.startsWith(buffer) || close.startsWith(buffer))) {
      if (!more()) return undefined;
    }
    if (buffer.startsWith(close)) break;
    if (!buffer.startsWith(open)) return undefined;
    buffer = buffer.slice(open.length - 1);
    let end = buffer.indexOf(ITEM_CLOSE);
    while (end < 0) {
      if (!more()) return undefined;
      end = buffer.indexOf(ITEM_CLOSE);
    }
    let item: unknown;
    try {
      item = JSON.parse(buffer.slice(0, end + ITEM_CLOSE.length));
    } catch {
      return undefined;
    }
    problems.push(...problemsOf(validateItem, item, `/items/${index}`));
    buffer = buffer.slice(end + ITEM_CLOSE.length);
  }
  while (more());
  return [...checkJsonFeed(head + buffer), ...problems];
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
