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
  createIdRegistry,
  reportError,
  reportWarning,
} from "./check-common.ts";
import { isAbsoluteUrl } from "./inspect-html.ts";
import type { FeedCheckContext, FeedItemSummary, FeedSummary } from "./types.ts";

// ajv-formats is CommonJS with `exports.default`; under Node's ESM interop the plugin is that property.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

export const JSON_FEED_1_1 = "https://jsonfeed.org/version/1.1";

let validate: ValidateFunction | undefined;

function compileSchema(): ValidateFunction {
  const schema = JSON.parse(readFileSync(new URL("../gate/jsonfeed-1.1.schema.json", import.meta.url), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
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
  summary.selfLink = feedUrl;
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

  const items = Array.isArray(document.items) ? document.items : [];
  const registerId = createIdRegistry(context, "id");
  const findIdLine = createIdFinder(text, lineAt);
  items.forEach((item: unknown, index: number) => {
    if (!isObject(item)) return;
    summary.items.push(checkItem(item, index, findIdLine, context, registerId, covered));
  });

  validate ??= compileSchema();
  if (!validate(document)) {
    for (const error of pruneSchemaErrors(validate.errors ?? [])) {
      const target =
        error.keyword === "required" ? `${error.instancePath}/${String(error.params.missingProperty)}` : error.instancePath;
      if (isCovered(covered, target)) continue;
      const itemIndex = /^\/items\/(\d+)/.exec(error.instancePath)?.[1];
      const item = itemIndex === undefined ? undefined : summary.items[Number(itemIndex)];
      const field = error.instancePath.replace(/^\//, "").replace(/\/(\d+)(?=\/|$)/g, "[$1]").replace(/\//g, ".") || undefined;
      reportError(
        context,
        "json-schema",
        { line: item?.line, item: item?.id ?? item?.title, ...(field ? { field } : {}) },
        `${error.message ?? "is invalid"}${error.params && "additionalProperty" in error.params ? ` (${String(error.params.additionalProperty)})` : ""} (JSON Feed 1.1 schema)`,
      );
    }
  }
  return summary;
}

/**
 * The line of each item's `"id": …` in turn. Every `"id": <string or number>` in the text is found
 * once, by its value (so `\/` or `\u00e9` in it do not matter), and each item takes the first
 * of its own id's places after the last one taken, or the first of them all: items come in order,
 * and an id used twice is so found at each of its own lines. (A search of the text for each item
 * took time that grew with the square of the feed: minutes at 10,000 full items.)
 */
function createIdFinder(text: string, lineAt: (index: number) => number): (rawId: unknown) => number | undefined {
  let places: Map<string, number[]> | undefined;
  /** Per id, how many of its places lie before `from`: `from` only grows, so this does too. */
  const passed = new Map<string, number>();
  let from = 0;
  return (rawId) => {
    places ??= findIdPlaces(text);
    const key = JSON.stringify(rawId);
    const offsets = places.get(key);
    if (offsets === undefined) return undefined;
    let next = passed.get(key) ?? 0;
    while (next < offsets.length && (offsets[next] as number) < from) next++;
    passed.set(key, next);
    const at = offsets[next] ?? (offsets[0] as number);
    from = at + 1;
    return lineAt(at);
  };
}

/** Where each `"id": …` of the text is, by the JSON of its value. */
function findIdPlaces(text: string): Map<string, number[]> {
  const places = new Map<string, number[]>();
  for (const match of text.matchAll(/"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/g)) {
    let key: string;
    try {
      key = JSON.stringify(JSON.parse(match[1] as string));
    } catch {
      continue;
    }
    const list = places.get(key);
    if (list) list.push(match.index);
    else places.set(key, [match.index]);
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
