import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import * as ajvFormats from "ajv-formats";
import {
  checkDate,
  checkEnclosureType,
  checkHtmlUrls,
  checkHttpUrl,
  checkLanguage,
  checkSelfLink,
  copyText,
  createHeldFindings,
  createIdRegistry,
  reportError,
  reportWarning,
} from "./check-common.ts";
import { type JsonFeedPlace, createJsonFeedSplit } from "../split-json-feed.ts";
import { isAbsoluteUrl } from "./inspect-html.ts";
import type { FeedCheckContext, FeedItemSummary, FeedSummary } from "./types.ts";

// ajv-formats is CommonJS with `exports.default`; under Node's ESM interop the plugin is that property.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

export const JSON_FEED_1_1 = "https://jsonfeed.org/version/1.1";

let validators: { feed: ValidateFunction; item: ValidateFunction } | undefined;

function compileSchema(): { feed: ValidateFunction; item: ValidateFunction } {
  const schema = JSON.parse(readFileSync(new URL("../gate/jsonfeed-1.1.schema.json", import.meta.url), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  // An item's schema, with the definitions it refers to.
  return { feed: ajv.compile(schema), item: ajv.compile({ ...schema.properties.items.items, definitions: schema.definitions }) };
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const stringAt = (object: Json, key: string): string | undefined => (typeof object[key] === "string" ? (object[key] as string) : undefined);

/**
 * The line of an offset in `text`, from where each line starts, found once: a feed of 10,000 full
 * items has 10,000 item lines to find, and counting the line breaks before each one from the start
 * took minutes (issue 7).
 */
function createLineFinder(text: string): (index: number) => number {
  const starts = [0];
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) starts.push(at + 1);
  return (index) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= index) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

/** The feed's keys whose line a finding gives: that of the first `"key"` in the text. */
const KEYS = ["version", "feed_url", "home_page_url", "icon", "favicon", "next_url", "language", "author"];

/** JSON Feed 1.1: the schema, the exact version, and what the schema cannot say (feed-standards §2.4). */
export function checkJson(text: string, context: FeedCheckContext): FeedSummary {
  const summary: FeedSummary = { format: "json", file: context.file, selfLink: undefined, items: [] };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    reportError(context, "json-invalid", position === undefined ? {} : { line: createLineFinder(text)(Number(position)) }, `not valid JSON: ${message}`);
    return summary;
  }
  if (!isObject(document)) {
    reportError(context, "json-invalid", { line: 1 }, "a JSON Feed is an object with version, title and items");
    return summary;
  }
  const lineAt = createLineFinder(text);
  const keyLine = (key: string): number | undefined => {
    const index = text.indexOf(`"${key}"`);
    return index === -1 ? undefined : lineAt(index);
  };
  /** Paths whose problems this checker reports itself, in words; the schema's message would repeat them. */
  const covered = new Set<string>(["/version"]);
  summary.selfLink = checkEnvelope(document, keyLine, context, covered);

  const items = Array.isArray(document.items) ? document.items : [];
  const registerId = createIdRegistry(context, "id");
  const findId = createIdFinder(() => findIdPlaces(text, { offset: 0, line: 1 }, new Map()));
  const findIdLine = (rawId: unknown) => findId(rawId)?.line;
  items.forEach((item: unknown, index: number) => {
    if (!isObject(item)) return;
    summary.items.push(checkItem(item, index, findIdLine, context, registerId, covered));
  });

  validators ??= compileSchema();
  if (!validators.feed(document)) reportSchemaErrors(validators.feed.errors ?? [], summary.items, covered, context);
  return summary;
}

/**
 * `checkJson` of a text given in pieces, an item at a time, when it is laid out as
 * `JSON.stringify(feed, null, 2)` lays out a feed (`createJsonFeedSplit`): each item is parsed,
 * checked, validated against the schema's item and let go as it is read. `end` gives undefined
 * when the text is laid out otherwise, or is such that its findings could differ from the whole
 * check's; nothing is reported then, and the text is to be checked whole. What is reported is the
 * whole check's, in its order: the envelope's findings, then the items', then the schema's, whose
 * errors are put in the whole document's order by validating the envelope with one item, 0, that
 * stands for them all.
 */
export function createJsonCheck(context: FeedCheckContext, onItem?: (item: Json) => void): { write(text: string): void; end(): FeedSummary | undefined } {
  const held = createHeldFindings(context);
  const registerId = createIdRegistry(held.context, "id");
  const covered = new Set<string>(["/version"]);
  const items: FeedItemSummary[] = [];
  const itemErrors: ErrorObject[] = [];
  /** The line of each key's first place, as the parts come. */
  const keyLines = new Map<string, number>();
  const findKeys = (text: string, at: JsonFeedPlace) => {
    let lineAt: ((index: number) => number) | undefined;
    for (const key of KEYS) {
      if (keyLines.has(key)) continue;
      const index = text.indexOf(`"${key}"`);
      if (index === -1) continue;
      lineAt ??= createLineFinder(text);
      keyLines.set(key, at.line + lineAt(index) - 1);
    }
  };
  const places = new Map<string, Place[]>();
  const findId = createIdFinder(() => places);
  /** Set when an item's id line is not among the places read so far: only the whole text tells it. */
  let lost = false;
  validators ??= compileSchema();
  const { item: validateItem } = validators;

  const split = createJsonFeedSplit(
    (text, index, at) => {
      let item: unknown;
      try {
        item = JSON.parse(text);
      } catch {
        return false;
      }
      if (!isObject(item)) return false;
      onItem?.(item);
      findKeys(text, at);
      findIdPlaces(text, at, places);
      const summary = checkItem(
        item,
        index,
        (rawId) => {
          const found = findId(rawId);
          if (!found?.inOrder) lost = true;
          return found?.line;
        },
        held.context,
        registerId,
        covered,
      );
      items.push({ ...summary, id: summary.id && copyText(summary.id), title: summary.title && copyText(summary.title), url: summary.url && copyText(summary.url) });
      if (!validateItem(item)) {
        for (const error of validateItem.errors ?? []) itemErrors.push({ ...error, instancePath: `/items/${index}${error.instancePath}` });
      }
      return !lost;
    },
    MAX_ITEM,
    (head) => {
      findKeys(head, { offset: 0, line: 1 });
      findIdPlaces(head, { offset: 0, line: 1 }, places);
    },
  );

  return {
    write(text) {
      split.write(text);
    },
    end() {
      const parts = split.end();
      if (parts === undefined || lost) return undefined;
      findKeys(parts.tail, parts.tailAt);
      let document: unknown;
      try {
        document = JSON.parse(`${parts.head}0${parts.tail}`);
      } catch {
        return undefined;
      }
      // The items read are the feed's unless a later key "items" takes their place.
      if (!isObject(document) || !Array.isArray(document.items) || document.items.length !== 1 || document.items[0] !== 0) return undefined;
      const feedErrors = validators?.feed(document) ? [] : (validators?.feed.errors ?? []);
      const isProbe = (error: ErrorObject) => error.instancePath === "/items/0" || error.instancePath.startsWith("/items/0/");
      const first = feedErrors.findIndex(isProbe);
      if (first === -1) return undefined;
      const after = feedErrors.findIndex((error, index) => index > first && !isProbe(error));
      const errors = [...feedErrors.slice(0, first), ...itemErrors, ...(after === -1 ? [] : feedErrors.slice(after))];

      const selfLink = checkEnvelope(document, (key) => keyLines.get(key), context, covered);
      held.release();
      reportSchemaErrors(errors, items, covered, context);
      return { format: "json", file: context.file, selfLink, items };
    },
  };
}

/** Most characters an item's text may have to be read an item at a time; a feed with a longer one is checked whole. */
const MAX_ITEM = 64 << 20;

/** The rules of the feed's own keys. Returns its self link. */
function checkEnvelope(document: Json, keyLine: (key: string) => number | undefined, context: FeedCheckContext, covered: Set<string>): string | undefined {
  const version = document.version;
  if (version !== JSON_FEED_1_1) {
    reportError(
      context,
      "json-version",
      { line: keyLine("version"), field: "version" },
      version === "https://jsonfeed.org/version/1"
        ? `this is JSON Feed 1.0 ("${version}"); expected "${JSON_FEED_1_1}" with authors[] and language`
        : `expected "${JSON_FEED_1_1}", got ${JSON.stringify(version)}`,
    );
  }

  const feedUrl = stringAt(document, "feed_url");
  if (feedUrl === undefined) {
    reportWarning(context, "self-link-missing", { line: 1, field: "feed_url" }, "no feed_url: JSON Feed says it should be considered required on the public web");
  } else {
    covered.add("/feed_url");
    checkSelfLink(context, feedUrl, { line: keyLine("feed_url"), field: "feed_url" }, "feed_url");
  }
  for (const key of ["home_page_url", "icon", "favicon", "next_url"]) {
    if (stringAt(document, key) === undefined) continue;
    covered.add(`/${key}`);
    checkHttpUrl(context, stringAt(document, key), { line: keyLine(key), field: key }, key, { ascii: true });
  }
  checkLanguage(context, stringAt(document, "language"), { line: keyLine("language") ?? 1, field: "language" }, "language");
  if (document.author !== undefined && document.authors === undefined) {
    reportWarning(context, "json-author-deprecated", { line: keyLine("author"), field: "author" }, "author is deprecated in JSON Feed 1.1 and holds one author only; use authors: [{ name, url }]");
  }
  return feedUrl;
}

/** The schema's errors that say more than this checker's own findings, each at its item. */
function reportSchemaErrors(errors: ErrorObject[], items: readonly FeedItemSummary[], covered: ReadonlySet<string>, context: FeedCheckContext): void {
  for (const error of pruneSchemaErrors(errors)) {
    const target =
      error.keyword === "required" ? `${error.instancePath}/${String(error.params.missingProperty)}` : error.instancePath;
    if (isCovered(covered, target)) continue;
    const itemIndex = /^\/items\/(\d+)/.exec(error.instancePath)?.[1];
    const item = itemIndex === undefined ? undefined : items[Number(itemIndex)];
    const field = error.instancePath.replace(/^\//, "").replace(/\/(\d+)(?=\/|$)/g, "[$1]").replace(/\//g, ".") || undefined;
    reportError(
      context,
      "json-schema",
      { line: item?.line, item: item?.id ?? item?.title, ...(field ? { field } : {}) },
      `${error.message ?? "is invalid"}${error.params && "additionalProperty" in error.params ? ` (${String(error.params.additionalProperty)})` : ""} (JSON Feed 1.1 schema)`,
    );
  }
}

/** Where an `"id": …` is in the text. */
interface Place {
  offset: number;
  line: number;
}

/**
 * The line of each item's `"id": …` in turn. Every `"id": <string or number>` in the text is found
 * once, by its value (so `\/` or `\u00e9` in it do not matter), and each item takes the first
 * of its own id's places after the last one taken, or the first of them all: items come in order,
 * and an id used twice is so found at each of its own lines. (A search of the text for each item
 * took time that grew with the square of the feed: minutes at 10,000 full items.) `inOrder` is
 * false when no place after the last one taken is known: for a text read in parts, only the rest
 * of it can tell.
 */
function createIdFinder(getPlaces: () => Map<string, Place[]>): (rawId: unknown) => { line: number; inOrder: boolean } | undefined {
  let places: Map<string, Place[]> | undefined;
  /** Per id, how many of its places lie before `from`: `from` only grows, so this does too. */
  const passed = new Map<string, number>();
  let from = 0;
  return (rawId) => {
    places ??= getPlaces();
    const key = JSON.stringify(rawId);
    const list = places.get(key);
    if (list === undefined) return undefined;
    let next = passed.get(key) ?? 0;
    while (next < list.length && (list[next] as Place).offset < from) next++;
    passed.set(key, next);
    const place = list[next] ?? (list[0] as Place);
    from = place.offset + 1;
    return { line: place.line, inOrder: next < list.length };
  };
}

/** Add where each `"id": …` of `text`, which starts at `at` in the feed, is to `places`, by the JSON of its value. */
function findIdPlaces(text: string, at: JsonFeedPlace, places: Map<string, Place[]>): Map<string, Place[]> {
  let lineAt: ((index: number) => number) | undefined;
  for (const match of text.matchAll(/"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/g)) {
    let key: string;
    try {
      key = JSON.stringify(JSON.parse(match[1] as string));
    } catch {
      continue;
    }
    lineAt ??= createLineFinder(text);
    const place = { offset: at.offset + match.index, line: at.line + lineAt(match.index) - 1 };
    const list = places.get(key);
    if (list) list.push(place);
    else places.set(key, [place]);
  }
  return places;
}

function checkItem(
  item: Json,
  index: number,
  findIdLine: (rawId: unknown) => number | undefined,
  context: FeedCheckContext,
  registerId: ReturnType<typeof createIdRegistry>,
  covered: Set<string>,
): FeedItemSummary {
  const path = `/items/${index}`;
  const rawId = item.id;
  const id = typeof rawId === "string" ? rawId : typeof rawId === "number" ? String(rawId) : undefined;
  const title = stringAt(item, "title");
  const line = id === undefined ? undefined : findIdLine(rawId);
  const label = id || title || `item ${index + 1}`;
  const where = (field: string) => ({ line, item: label, field: `items[${index}].${field}` });

  covered.add(`${path}/id`);
  if (rawId === undefined) reportError(context, "id-missing", where("id"), "an item needs an id; readers must discard items without one");
  else if (typeof rawId !== "string") reportError(context, "id-invalid", where("id"), `id must be a string, got ${JSON.stringify(rawId)}`);
  else if (rawId.trim() === "") reportError(context, "id-invalid", where("id"), "id is empty; expected a permanent unique id such as tag:example.com,2025:my-post");
  else {
    registerId(rawId, where("id"));
    if (!isAbsoluteUrl(rawId)) {
      reportWarning(context, "id-not-uri", where("id"), `id ${JSON.stringify(rawId)} is not a URI; the RSS and Atom ids of this item cannot match it (use tag:… or the permalink)`);
    }
  }

  for (const key of ["url", "external_url", "image", "banner_image"]) {
    if (stringAt(item, key) === undefined) continue;
    covered.add(`${path}/${key}`);
    checkHttpUrl(context, stringAt(item, key), where(key), key, { ascii: true });
  }
  const summaryText = stringAt(item, "summary");
  if (summaryText !== undefined && /<\/?[a-z][a-z0-9]*(\s[^>]*)?>/i.test(summaryText)) {
    reportWarning(context, "json-summary-html", where("summary"), "summary is plain text in JSON Feed, but this one holds HTML tags; readers show them as text");
  }
  checkHtmlUrls(context, stringAt(item, "content_html"), where("content_html"), "content_html");

  const dates: Record<string, number | undefined> = {};
  for (const key of ["date_published", "date_modified"]) {
    const value = stringAt(item, key);
    if (value === undefined) continue;
    covered.add(`${path}/${key}`);
    dates[key] = checkDate(context, value, "rfc3339", where(key));
  }

  const attachments = Array.isArray(item.attachments) ? item.attachments : [];
  attachments.forEach((attachment: unknown, at: number) => {
    if (!isObject(attachment)) return;
    const url = stringAt(attachment, "url");
    if (url !== undefined) {
      covered.add(`${path}/attachments/${at}/url`);
      checkHttpUrl(context, url, where(`attachments[${at}].url`), "attachment url", { ascii: true });
    }
    if (attachment.mime_type !== undefined) {
      covered.add(`${path}/attachments/${at}/mime_type`);
      checkEnclosureType(context, stringAt(attachment, "mime_type"), url, where(`attachments[${at}].mime_type`));
    }
  });
  return {
    id,
    title: title?.replace(/\s+/g, " ").trim(),
    url: stringAt(item, "url"),
    published: dates.date_published ?? dates.date_modified,
    updated: dates.date_modified ?? dates.date_published,
    line,
  };
}

/** Drop the schema's summary errors ("must match a schema in anyOf") when a precise one says more. */
/** Whether `target` or a path it is under (`/items/3` of `/items/3/url`) is in `covered`: one lookup per level, not a scan of the set. */
function isCovered(covered: ReadonlySet<string>, target: string): boolean {
  for (let path = target; path !== ""; path = path.slice(0, path.lastIndexOf("/"))) {
    if (covered.has(path)) return true;
  }
  return false;
}

const COMBINING = new Set(["anyOf", "oneOf", "allOf", "if"]);

function pruneSchemaErrors(errors: ErrorObject[]): ErrorObject[] {
  // Every prefix of a precise error's path, once: a combining error there says less than it.
  const underPrecise = new Set<string>();
  for (const error of errors) {
    if (COMBINING.has(error.keyword)) continue;
    for (let at = error.instancePath.length; at >= 0; at--) underPrecise.add(error.instancePath.slice(0, at));
  }
  const kept = errors.filter((error) => !COMBINING.has(error.keyword) || !underPrecise.has(error.instancePath));
  const seen = new Set<string>();
  return kept.filter((error) => {
    const key = `${error.instancePath} ${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
