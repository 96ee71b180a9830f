/**
 * Everything the interoperability tests use to read feeds back, in one place: a strict XML parse,
 * the schema checks, three independent feed parsers and one normal form for what they find.
 *
 * - `feedsmith` reads RSS, Atom and JSON Feed.
 * - `@rowanmanning/feed-parser` reads RSS and Atom only (it rejects JSON Feed with INVALID_FEED;
 *   test/interop/round-trip.test.ts pins that down).
 * - Python's `feedparser` (Debian `python3-feedparser`) reads RSS and Atom; it has no JSON Feed support.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseFeed as parseWithRowan } from "@rowanmanning/feed-parser";
import { Ajv, type ValidateFunction } from "ajv";
import * as ajvFormats from "ajv-formats";
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from "feedsmith";
import { SaxesParser } from "saxes";
import { validateXML } from "xmllint-wasm";

export type FormatKey = "rss" | "atom" | "json";
export type XmlFormat = "rss" | "atom";

/** The text of the three feeds of one build, as `buildFeeds` returns them. */
export interface FeedTexts {
  rss: string;
  atom: string;
  json: string;
}

export const ATOM_NS = "http://www.w3.org/2005/Atom";
export const CONTENT_NS = "http://purl.org/rss/1.0/modules/content/";
export const DC_NS = "http://purl.org/dc/elements/1.1/";

/** Asserted on its own: the JSON Feed schema also accepts version 1. */
export const JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1";

// ------------------------------------------------------------------------------------------------
// Strict XML

/** One element of a strictly parsed document. */
export interface XmlElement {
  /** Qualified name as written: `atom:link`, `guid`. */
  name: string;
  local: string;
  /** Namespace URI ("" when none). */
  uri: string;
  /** Attribute values by qualified name: `isPermaLink`, `xml:lang`. */
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Text and CDATA directly inside the element, concatenated. */
  text: string;
}

/**
 * Parse with saxes, namespace-aware and without recovery: the first well-formedness or namespace
 * error throws, with its line and column.
 */
export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: Error | undefined;
  parser.on("error", (error) => {
    failure ??= error;
  });
  parser.on("opentag", (tag) => {
    const element: XmlElement = {
      name: tag.name,
      local: tag.local,
      uri: tag.uri,
      attributes: Object.fromEntries(Object.values(tag.attributes).map((attribute) => [attribute.name, attribute.value])),
      children: [],
      text: "",
    };
    stack.at(-1)?.children.push(element);
    root ??= element;
    stack.push(element);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  const addText = (text: string) => {
    const top = stack.at(-1);
    if (top) top.text += text;
  };
  parser.on("text", addText);
  parser.on("cdata", addText);
  try {
    parser.write(text).close();
  } catch (error) {
    failure ??= error as Error;
  }
  if (failure) throw new Error(`not well-formed XML: ${failure.message}`);
  if (!root) throw new Error("not well-formed XML: no root element");
  return root;
}

/** The strict parser's complaint, or undefined for a well-formed document. */
export function xmlError(text: string): string | undefined {
  try {
    parseXml(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Child elements with this local name (and namespace, when given). */
export function childrenOf(element: XmlElement, local: string, uri?: string): XmlElement[] {
  return element.children.filter((child) => child.local === local && (uri === undefined || child.uri === uri));
}

export function childOf(element: XmlElement, local: string, uri?: string): XmlElement | undefined {
  return childrenOf(element, local, uri)[0];
}

/** RSS `<item>`s or Atom `<entry>`s of a strictly parsed feed. */
export function xmlItems(format: XmlFormat, text: string): XmlElement[] {
  const root = parseXml(text);
  if (format === "atom") return childrenOf(root, "entry", ATOM_NS);
  const channel = childOf(root, "channel");
  if (!channel) throw new Error("RSS without <channel>");
  return childrenOf(channel, "item", "");
}

/** The item ids of each format, in document order: RSS guid, Atom id, JSON id. */
export function idsOf(feeds: FeedTexts): Record<FormatKey, string[]> {
  return {
    rss: xmlItems("rss", feeds.rss).map((item) => childOf(item, "guid")?.text ?? "(no guid)"),
    atom: xmlItems("atom", feeds.atom).map((entry) => childOf(entry, "id", ATOM_NS)?.text ?? "(no id)"),
    json: jsonItems(feeds.json).map((item) => item.id),
  };
}

interface JsonFeedItem {
  id: string;
  url?: string;
  title?: string;
  summary?: string;
  content_html?: string;
  image?: string;
  date_published?: string;
  authors?: { name?: string }[];
}

export function jsonItems(text: string): JsonFeedItem[] {
  return (JSON.parse(text) as { items: JsonFeedItem[] }).items;
}

// ------------------------------------------------------------------------------------------------
// Schemas

const ATOM_RNG = readFileSync(new URL("../schemas/atom.rng", import.meta.url), "utf8");

/** RFC 4287's RELAX NG grammar through libxml2 (xmllint-wasm). Returns xmllint's messages. */
export async function atomSchemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: { fileName: "atom.xml", contents: xml },
    schema: { fileName: "atom.rng", contents: ATOM_RNG },
    extension: "relaxng",
  });
  return result.valid ? [] : result.errors.map((error) => error.rawMessage);
}

/**
 * The grammar's Schematron rules, which RELAX NG validators skip (RFC 4287 §4.1.1, §4.1.2):
 * every entry has an author unless the feed has one; an entry without content has an
 * alternate link.
 */
export function atomSchematronProblems(xml: string): string[] {
  const feed = parseXml(xml);
  const feedHasAuthor = childrenOf(feed, "author", ATOM_NS).length > 0;
  const problems: string[] = [];
  childrenOf(feed, "entry", ATOM_NS).forEach((entry, index) => {
    const name = childOf(entry, "id", ATOM_NS)?.text ?? `entry ${index + 1}`;
    if (!feedHasAuthor && childrenOf(entry, "author", ATOM_NS).length === 0) {
      problems.push(`${name}: no atom:author in the entry or the feed`);
    }
    const hasContent = childrenOf(entry, "content", ATOM_NS).length > 0;
    const hasAlternate = childrenOf(entry, "link", ATOM_NS).some((link) => (link.attributes.rel ?? "alternate") === "alternate");
    if (!hasContent && !hasAlternate) problems.push(`${name}: neither atom:content nor a rel="alternate" link`);
  });
  return problems;
}

// ajv-formats is CommonJS with `exports.default`; under Node's ESM interop the plugin is that property.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;
let validateJsonFeed: ValidateFunction | undefined;

/** JSON Feed 1.1 schema (draft-07, ajv's default class + formats). Returns the problems found. */
export function jsonFeedSchemaErrors(text: string): string[] {
  if (!validateJsonFeed) {
    const schema = JSON.parse(readFileSync(new URL("../schemas/jsonfeed-1.1.schema.json", import.meta.url), "utf8"));
    const ajv = new Ajv({ allErrors: true });
    addFormats(ajv);
    validateJsonFeed = ajv.compile(schema);
  }
  const document: unknown = JSON.parse(text);
  if (validateJsonFeed(document)) return [];
  return (validateJsonFeed.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? "is invalid"}`);
}

/**
 * Every validity problem of one build: strict well-formedness of RSS and Atom, the Atom grammar
 * and its Schematron rules, the JSON Feed schema and the exact JSON Feed version.
 */
export async function feedProblems(feeds: FeedTexts): Promise<string[]> {
  const problems: string[] = [];
  const rssError = xmlError(feeds.rss);
  if (rssError) problems.push(`rss: ${rssError}`);
  const atomError = xmlError(feeds.atom);
  if (atomError) problems.push(`atom: ${atomError}`);
  else problems.push(...atomSchematronProblems(feeds.atom).map((problem) => `atom: ${problem}`));
  problems.push(...(await atomSchemaErrors(feeds.atom)).map((error) => `atom schema: ${error}`));
  problems.push(...jsonFeedSchemaErrors(feeds.json).map((error) => `json schema: ${error}`));
  const version = (JSON.parse(feeds.json) as { version?: unknown }).version;
  if (version !== JSON_FEED_VERSION) problems.push(`json: version is ${JSON.stringify(version)}, expected ${JSON_FEED_VERSION}`);
  return problems;
}

// ------------------------------------------------------------------------------------------------
// HTML

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decode HTML character references (the named ones a serializer emits, and numeric ones). */
export function decodeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

const BLOCK_TAG = /<\/?(?:p|div|h[1-6]|ul|ol|li|pre|blockquote|table|tr|td|th|figure|figcaption|section|hr|br|img|video|audio)\b[^>]*>/gi;

/** What an HTML fragment shows as text: tags dropped (blocks as spaces), references decoded, whitespace collapsed. */
export function textOfHtml(html: string): string {
  return decodeHtml(html.replace(BLOCK_TAG, " ").replace(/<[^>]*>/g, "")).replace(/\s+/g, " ").trim();
}

export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

const URL_ATTRIBUTES = ["href", "src", "srcset", "poster"];

/** The href/src/srcset/poster values in an HTML fragment, decoded; each srcset candidate on its own. */
export function urlsInHtml(html: string): { attribute: string; url: string }[] {
  const found: { attribute: string; url: string }[] = [];
  for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi)) {
    for (const match of tag.matchAll(/\s([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/gi)) {
      const attribute = match[1]!.toLowerCase();
      if (!URL_ATTRIBUTES.includes(attribute)) continue;
      const value = decodeHtml(match[2] ?? match[3] ?? match[4] ?? "");
      const urls = attribute === "srcset" ? value.split(",").map((candidate) => candidate.trim().split(/\s+/)[0] ?? "") : [value];
      for (const url of urls) found.push({ attribute, url });
    }
  }
  return found;
}

/** An absolute URL: a scheme, then something `new URL` accepts. `//host/x` and `#x` are relative. */
export function isAbsoluteUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) && URL.canParse(url);
}

/**
 * Every HTML payload of the three feeds, straight from the documents: RSS description and
 * content:encoded, Atom title/summary/content of type html, JSON content_html.
 */
export function htmlPayloads(feeds: FeedTexts): { where: string; html: string }[] {
  const payloads: { where: string; html: string }[] = [];
  xmlItems("rss", feeds.rss).forEach((item, index) => {
    for (const element of [childOf(item, "description"), childOf(item, "encoded", CONTENT_NS)]) {
      if (element) payloads.push({ where: `rss item ${index + 1} <${element.name}>`, html: element.text });
    }
  });
  xmlItems("atom", feeds.atom).forEach((entry, index) => {
    for (const local of ["title", "summary", "content"]) {
      const element = childOf(entry, local, ATOM_NS);
      if (element && element.attributes.type === "html") payloads.push({ where: `atom entry ${index + 1} <${local}>`, html: element.text });
    }
  });
  jsonItems(feeds.json).forEach((item, index) => {
    if (item.content_html !== undefined) payloads.push({ where: `json item ${index + 1} content_html`, html: item.content_html });
  });
  return payloads;
}

// ------------------------------------------------------------------------------------------------
// Independent parsers, one normal form

/** One item as a reader presents it. */
export interface ReadItem {
  id: string;
  /** Plain text as a reader displays it (HTML titles interpreted as HTML). */
  title: string;
  link: string;
  /** Publish instant, epoch milliseconds (NaN when missing or unreadable). */
  published: number;
  authors: string[];
  /** The full content as HTML. */
  html: string;
}

/** `type="html"`/`"xhtml"` text is HTML and shows as its text; `type="text"` (the default) is literal. */
function atomText(text: { value?: string; type?: string } | undefined): string {
  const value = text?.value ?? "";
  return text?.type === "html" || text?.type === "xhtml" ? textOfHtml(value) : value;
}

function atomHtml(content: { value?: string; type?: string } | undefined): string {
  const value = content?.value ?? "";
  return content?.type === "html" || content?.type === "xhtml" ? value : escapeHtml(value);
}

const instant = (value: string | Date | null | undefined): number =>
  value === undefined || value === null ? Number.NaN : value instanceof Date ? value.getTime() : Date.parse(value);

/** feedsmith: RSS, Atom and JSON Feed. */
export function readWithFeedsmith(format: FormatKey, text: string): ReadItem[] {
  if (format === "rss") {
    return (parseRssFeed(text).items ?? []).map((item) => ({
      id: item.guid?.value ?? "",
      title: item.title ?? "",
      link: item.link ?? "",
      published: instant(item.pubDate),
      authors: [...(item.authors ?? []).map((author) => author.name ?? author.email ?? ""), ...(item.dc?.creators ?? [])],
      html: item.content?.encoded ?? item.description ?? "",
    }));
  }
  if (format === "atom") {
    return (parseAtomFeed(text).entries ?? []).map((entry) => ({
      id: entry.id ?? "",
      title: atomText(entry.title),
      link: entry.links?.find((link) => (link.rel ?? "alternate") === "alternate")?.href ?? "",
      published: instant(entry.published),
      authors: (entry.authors ?? []).map((author) => author.name ?? ""),
      html: atomHtml(entry.content),
    }));
  }
  return (parseJsonFeed(JSON.parse(text)).items ?? []).map((item) => ({
    id: item.id ?? "",
    title: item.title ?? "",
    link: item.url ?? "",
    published: instant(item.date_published),
    authors: (item.authors ?? []).map((author) => author.name ?? ""),
    html: item.content_html ?? "",
  }));
}

/** @rowanmanning/feed-parser: RSS and Atom. */
export function readWithRowan(text: string): ReadItem[] {
  return parseWithRowan(text).items.map((item) => ({
    id: item.id ?? "",
    title: item.title ?? "",
    link: item.url ?? "",
    published: instant(item.published),
    authors: item.authors.map((author) => author.name ?? author.email ?? ""),
    html: item.content ?? "",
  }));
}

/** Every reader on every format it supports, labelled "reader format". */
export function readEverywhere(feeds: FeedTexts): Record<string, ReadItem[]> {
  return {
    "feedsmith rss": readWithFeedsmith("rss", feeds.rss),
    "feedsmith atom": readWithFeedsmith("atom", feeds.atom),
    "feedsmith json": readWithFeedsmith("json", feeds.json),
    "rowan rss": readWithRowan(feeds.rss),
    "rowan atom": readWithRowan(feeds.atom),
  };
}

// ------------------------------------------------------------------------------------------------
// Python feedparser

export const PYTHON = "/usr/bin/python3";
export const FEEDPARSER_REQUIRED = "python3-feedparser is required in CI: apt-get install python3-feedparser";

/** True when `/usr/bin/python3 -c "import feedparser"` succeeds. */
export function feedparserAvailable(): boolean {
  return spawnSync(PYTHON, ["-c", "import feedparser"], { stdio: "ignore" }).status === 0;
}

const FEEDPARSER_SCRIPT = `
import calendar, json, sys
import feedparser

def instant(parsed):
    return calendar.timegm(parsed) * 1000 if parsed else None

result = feedparser.parse(sys.argv[1])
print(json.dumps({
    "bozo": int(bool(result.bozo)),
    "bozo_exception": str(result.get("bozo_exception", "")),
    "version": result.version,
    "entries": [{
        "id": entry.get("id"),
        "title": entry.get("title"),
        "title_type": entry.get("title_detail", {}).get("type"),
        "link": entry.get("link"),
        "published": instant(entry.get("published_parsed")),
        "authors": [author.get("name") for author in entry.get("authors", [])],
        "content": [content.value for content in entry.get("content", [])],
    } for entry in result.entries],
}))
`;

export interface FeedparserResult {
  bozo: number;
  bozoException: string;
  /** `rss20`, `atom10`… */
  version: string;
  items: ReadItem[];
  /** feedparser's own title value and the type it decided on (`text/plain`, `text/html`), per item. */
  rawTitles: { value: string; type: string }[];
}

interface FeedparserEntry {
  id: string | null;
  title: string | null;
  title_type: string | null;
  link: string | null;
  published: number | null;
  authors: (string | null)[];
  content: string[];
}

/** Run Python feedparser on a feed file; its entries in the common normal form. */
export function readWithFeedparser(file: string): FeedparserResult {
  const run = spawnSync(PYTHON, ["-c", FEEDPARSER_SCRIPT, file], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`feedparser failed (${run.status}): ${run.stderr}`);
  const output = JSON.parse(run.stdout) as { bozo: number; bozo_exception: string; version: string; entries: FeedparserEntry[] };
  return {
    bozo: output.bozo,
    bozoException: output.bozo_exception,
    version: output.version,
    items: output.entries.map((entry) => ({
      id: entry.id ?? "",
      title: entry.title_type === "text/html" ? textOfHtml(entry.title ?? "") : (entry.title ?? ""),
      link: entry.link ?? "",
      published: entry.published ?? Number.NaN,
      authors: entry.authors.map((name) => name ?? ""),
      html: entry.content[0] ?? "",
    })),
    rawTitles: output.entries.map((entry) => ({ value: entry.title ?? "", type: entry.title_type ?? "" })),
  };
}
