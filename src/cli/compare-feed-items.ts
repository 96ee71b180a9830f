import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";

/** One article in a build summary. */
export interface ItemChange {
  id: string;
  title: string;
  /** For a changed item: what differs (title, date_modified, content). */
  reasons?: string[];
}

export interface ItemChanges {
  /** False when there was no previous feed.json to compare with (first build). */
  hadPrevious: boolean;
  added: ItemChange[];
  changed: ItemChange[];
  removed: ItemChange[];
}

interface JsonItem {
  id?: unknown;
  title?: unknown;
  date_modified?: unknown;
  content_html?: unknown;
  content_text?: unknown;
}

/** What the comparison needs of one item: its content as a digest, so that no item's HTML is held. */
export interface ItemDigest {
  title: unknown;
  dateModified: unknown;
  /** SHA-256 of `content_html` and `content_text` (`digestValue`). */
  content: string;
}

/** A JSON Feed's items by id, a later item of the same id in place of an earlier one. */
export type FeedItems = Map<string, ItemDigest>;

/**
 * Adds one field to the digest, told apart from any other value: its type, its length and its
 * text (UTF-16, so that lone surrogates stay apart; an object as JSON, any other value as String()).
 */
function digestValue(hash: ReturnType<typeof createHash>, value: unknown): void {
  const text = typeof value === "string" ? value : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  hash.update(`${typeof value}:${text.length}:`).update(text, "utf16le");
}

function digestItem(item: JsonItem): ItemDigest {
  const hash = createHash("sha256");
  digestValue(hash, item.content_html);
  digestValue(hash, item.content_text);
  return { title: item.title, dateModified: item.date_modified, content: hash.digest("base64") };
}

function addItem(items: FeedItems, item: JsonItem): void {
  if (typeof item?.id === "string") items.set(item.id, digestItem(item));
}

/** The items of a parsed JSON Feed, or undefined when it has no `items` array. */
function digestDocument(document: unknown): FeedItems | undefined {
  const list = (document as { items?: unknown } | null)?.items;
  if (!Array.isArray(list)) return undefined;
  const items: FeedItems = new Map();
  for (const item of list as JsonItem[]) addItem(items, item);
  return items;
}

/** The items of a JSON Feed's text; undefined when there is none, or it is not JSON with an `items` array. */
export function digestFeedText(text: string | undefined): FeedItems | undefined {
  if (text === undefined) return undefined;
  try {
    return digestDocument(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The lines of `JSON.stringify(feed, null, 2)` that open and close the items and each item. */
const ITEMS_OPEN = '  "items": [';
const ITEMS_CLOSE = ["  ]", "  ],"];
const ITEM_OPEN = "    {";
const ITEM_CLOSE = "    }";

/** Reads a JSON Feed a line at a time: `add` each line (false: give up), then `finish`. */
interface LineDigest {
  add(line: string): boolean;
  finish(): FeedItems | undefined;
}

/**
 * `digestFeedText` of a JSON Feed given a line at a time, an item at a time, when it is laid out
 * as `JSON.stringify(feed, null, 2)` lays it out (as wirefeed writes it): a line of its own opens
 * the items array at the root's indent, and each item opens and closes on a line of its own two
 * indents in (deeper braces are indented further, and a JSON string holds no line break). The
 * rest of the feed, with the items cut out, must parse and hold the cut as its own `items`.
 * Otherwise, or when a part does not parse, `add` returns false or `finish` undefined, and the
 * caller reads the text whole. Text with no items line at all is parsed whole here.
 *
 * Issue 7: a rebuild read the previous feed.json whole and then the new one, to list what changed.
 * For one feed of 10,000 full items rebuilt in place, that took the peak from 0.49 GB (with no
 * previous feed) to 1.34 GB; past about 60,000 items, the text is longer than the longest string
 * V8 holds, and the rebuild listed every item as added.
 */
function createLineDigest(): LineDigest {
  // Stands for the items in the feed without them: a string of this call's own, which no feed can hold.
  const hole = `\u0000items ${randomBytes(16).toString("hex")}`;
  const items: FeedItems = new Map();
  const envelope: string[] = [];
  let phase: "head" | "items" | "item" | "tail" = "head";
  /** The lines of the item being read. */
  let item: string[] = [];
  /** What may come after the last item: another (it ended with a comma), the end of the array, or either (none yet). */
  let expect: "item" | "close" | "either" = "either";
  const add = (line: string): boolean => {
    if (phase === "head" || phase === "tail") {
      if (!line.startsWith('  "items":')) {
        envelope.push(line);
        return true;
      }
      if (phase === "tail" || line !== ITEMS_OPEN) return false;
      envelope.push(line, JSON.stringify(hole));
      phase = "items";
      return true;
    }
    if (phase === "items") {
      if (line === ITEM_OPEN && expect !== "close") {
        item = [line];
        phase = "item";
        return true;
      }
      if (!ITEMS_CLOSE.includes(line) || expect === "item") return false;
      envelope.push(line);
      phase = "tail";
      return true;
    }
    item.push(line);
    if (line !== ITEM_CLOSE && line !== `${ITEM_CLOSE},`) return true;
    try {
      addItem(items, JSON.parse(item.join("\n").slice(0, line === ITEM_CLOSE ? undefined : -1)) as JsonItem);
    } catch {
      return false;
    }
    item = [];
    expect = line === ITEM_CLOSE ? "close" : "item";
    phase = "items";
    return true;
  };
  const finish = (): FeedItems | undefined => {
    if (phase === "head") return digestFeedText(envelope.join("\n"));
    if (phase !== "tail") return undefined;
    try {
      const document = JSON.parse(envelope.join("\n")) as { items?: unknown };
      return Array.isArray(document?.items) && document.items.length === 1 && document.items[0] === hole ? items : undefined;
    } catch {
      return undefined;
    }
  };
  return { add, finish };
}

/** `createLineDigest` over `lines`: the items, or undefined when the caller must read the text whole. */
export function digestFeedLines(lines: Iterable<string>): FeedItems | undefined {
  const digest = createLineDigest();
  for (const line of lines) if (!digest.add(line)) return undefined;
  return digest.finish();
}

/**
 * The items of the JSON Feed in `file`, read a line at a time (`createLineDigest`), or whole when
 * it is laid out otherwise; undefined when there is no such file or it is not a JSON Feed.
 */
export async function readFeedItems(file: string): Promise<FeedItems | undefined> {
  const digest = createLineDigest();
  let streamed: FeedItems | undefined;
  try {
    let rest = "";
    let going = true;
    for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
      let start = 0;
      for (let end = chunk.indexOf("\n"); going && end >= 0; end = chunk.indexOf("\n", start)) {
        going = digest.add(rest + chunk.slice(start, end));
        rest = "";
        start = end + 1;
      }
      if (!going) break;
      rest += chunk.slice(start);
    }
    streamed = going && digest.add(rest) ? digest.finish() : undefined;
  } catch {
    return undefined;
  }
  return streamed ?? digestFeedText(await readFile(file, "utf8").catch(() => undefined));
}

const titleOf = (title: unknown) => (typeof title === "string" ? title : "(untitled)");

/**
 * Articles added, removed or changed between two JSON Feeds' items, by item id; "changed" means a
 * different title, date_modified or content. An unreadable previous feed (undefined) counts as none.
 */
export function compareFeedItems(previous: FeedItems | undefined, next: FeedItems | undefined): ItemChanges {
  const changes: ItemChanges = { hadPrevious: previous !== undefined, added: [], changed: [], removed: [] };
  for (const [id, item] of next ?? []) {
    const before = previous?.get(id);
    if (!before) {
      changes.added.push({ id, title: titleOf(item.title) });
      continue;
    }
    const reasons: string[] = [];
    if (before.title !== item.title) reasons.push("title");
    if (before.dateModified !== item.dateModified) reasons.push("date_modified");
    if (before.content !== item.content) reasons.push("content");
    if (reasons.length > 0) changes.changed.push({ id, title: titleOf(item.title), reasons });
  }
  for (const [id, item] of previous ?? []) {
    if (!next?.has(id)) changes.removed.push({ id, title: titleOf(item.title) });
  }
  return changes;
}

/**
 * The changes of a first build (no previous feed.json): every item added, read from the main
 * feed's items rather than by parsing the feed.json just written (90 MB for a feed of 10,000 full
 * items, issue 7). The same as `compareFeedItems(undefined, digestFeedText(text))` of that file.
 */
export function listFirstBuild(items: readonly { id: string; title: string }[]): ItemChanges {
  return { hadPrevious: false, added: items.map(({ id, title }) => ({ id, title })), changed: [], removed: [] };
}
