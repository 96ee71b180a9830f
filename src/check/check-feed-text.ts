import { createAtomCheck } from "./check-atom.ts";
import { checkJson, createJsonCheck } from "./check-json.ts";
import { createRssCheck } from "./check-rss.ts";
import { type RawAmpersand, type RawAmpersandScanStart, createRawAmpersandScan } from "./find-raw-ampersand.ts";
import { type XmlElement, type XmlError, type XmlStream, createXmlStream } from "./parse-xml.ts";
import type { FeedFormat, FeedSummary, Finding, XmlFeedCheck } from "./types.ts";

export interface CheckFeedTextOptions {
  /** Display path, used in every finding. */
  file: string;
  /** The URL the file is published at, when known. */
  url?: string | undefined;
  now: Date;
}

export interface CheckedFeedText {
  /** Undefined when the text is no RSS, Atom or JSON Feed document. */
  format: FeedFormat | undefined;
  findings: Finding[];
  summary: FeedSummary | undefined;
}

/** A JSON Feed's version key. A "/" may be written "\/" (PHP's json_encode does). */
const JSON_FEED_VERSION = /"version"\s*:\s*"https?:(?:\\?\/){2}jsonfeed\.org\\?\/version\\?\//;

/** Tell RSS, Atom and JSON Feed apart by content, not by file name. */
export function detectFeedFormat(text: string): FeedFormat | undefined {
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("{")) return JSON_FEED_VERSION.test(start) ? "json" : undefined;
  if (!start.startsWith("<")) return undefined;
  const root = /<([A-Za-z_][\w.-]*:)?(rss|feed|RDF)[\s>/]/.exec(start.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, ""));
  if (root?.[2] === "rss") return "rss";
  if (root?.[2] === "feed") return "atom";
  return undefined;
}

/** Every rule for one feed document. Pure: text in, findings out. */
export function checkFeedText(text: string, options: CheckFeedTextOptions): CheckedFeedText {
  const body = stripBom(text);
  const check = (whole: boolean) => {
    const feed = createFeedCheck({ ...options, whole });
    feed.write(body);
    return feed.end();
  };
  let ended = check(false);
  if (ended.wholeNeeded) ended = check(true);
  if (ended.xmlError === undefined) return ended;
  const { xmlError } = ended;
  for (let start: RawAmpersandScanStart | undefined; ; ) {
    const scan = createRawAmpersandScan(xmlError.line, start);
    scan.write(body);
    const scanned = scan.end();
    if ("found" in scanned) return reportXmlError(ended.format, xmlError, scanned.found, options.file);
    start = scanned.restart;
  }
}

export interface FeedCheckOptions extends CheckFeedTextOptions {
  /** Gather the whole text and check it at the end, as a JSON Feed not laid out as wirefeed lays it out needs. */
  whole?: boolean | undefined;
  /** Called with each item (an RSS item's or Atom entry's element, a JSON Feed item read an item at a time) as it is checked, before it is let go; for tests. */
  onItem?: ((item: XmlElement | Record<string, unknown>) => void) | undefined;
}

export interface EndedFeedCheck extends CheckedFeedText {
  /**
   * The first well-formedness error of an XML document, when there is one. The findings are then
   * to be `reportXmlError`'s alone, once the text is scanned for a raw "&" (`createRawAmpersandScan`).
   */
  xmlError?: XmlError | undefined;
  /** True when a JSON Feed read an item at a time turned out to need the whole check: nothing is reported, and the text is to be given again with `whole`. */
  wholeNeeded?: boolean | undefined;
}

/**
 * Every rule for one feed document given as its text in pieces, in order, without a leading byte
 * order mark. An RSS or Atom document is parsed as it comes, and each item checked and let go as
 * it closes: what is held is the envelope, one item and the findings. A JSON Feed is read an item
 * at a time when it is laid out as wirefeed lays it out (`createJsonCheck`; else `wholeNeeded`).
 * A document whose format its start does not tell is gathered and checked whole at the end.
 */
export function createFeedCheck(options: FeedCheckOptions) {
  const findings: Finding[] = [];
  const context = {
    file: options.file,
    url: options.url,
    now: options.now,
    report: (finding: Omit<Finding, "file">) => {
      findings.push({ file: options.file, ...finding });
    },
  };
  /** The text so far, while the format is not known. */
  let head: string[] = [];
  let headLength = 0;
  let xml: { format: "rss" | "atom"; stream: XmlStream; rules: XmlFeedCheck } | undefined;
  let json: ReturnType<typeof createJsonCheck> | undefined;

  const startXml = (format: "rss" | "atom") => {
    const rules = format === "rss" ? createRssCheck(context) : createAtomCheck(context);
    const stream = createXmlStream({
      isItem: rules.isItem,
      onItem: (item) => {
        options.onItem?.(item);
        rules.checkItem(item);
      },
    });
    for (const text of head) stream.write(text);
    head = [];
    return { format, stream, rules };
  };

  return {
    write(text: string): void {
      if (xml) xml.stream.write(text);
      else if (json) json.write(text);
      else {
        head.push(text);
        headLength += text.length;
        // Past its first megabyte, a document that has not said what it is gets the whole check.
        if (options.whole || headLength > EARLY_DETECTION_LIMIT) return;
        const format = detectFeedFormatEarly(head.join(""));
        if (format === "json") {
          json = createJsonCheck(context, options.onItem);
          for (const piece of head) json.write(piece);
          head = [];
        } else if (format !== undefined) xml = startXml(format);
      }
    },
    end(): EndedFeedCheck {
      if (json) {
        const summary = json.end();
        return summary === undefined ? { format: "json", findings: [], summary: undefined, wholeNeeded: true } : { format: "json", findings, summary };
      }
      if (!xml) {
        const body = head.join("");
        head = [body];
        const format = detectFeedFormat(body);
        if (format === undefined) {
          findings.push({ severity: "error", code: "not-a-feed", file: options.file, line: 1, message: "not an RSS 2.0, Atom 1.0 or JSON Feed document" });
          return { format, findings, summary: undefined };
        }
        if (format === "json") return { format, findings, summary: checkJson(body, context) };
        xml = startXml(format);
      }
      const parsed = xml.stream.close();
      if (parsed.error) return { format: xml.format, findings: [], summary: undefined, xmlError: parsed.error };
      if (parsed.encoding !== undefined && !/^utf-?8$/i.test(parsed.encoding)) {
        findings.push({ severity: "warning", code: "xml-encoding", file: options.file, line: 1, message: `declares encoding="${parsed.encoding}"; feeds should be UTF-8 and say so` });
      }
      const root = parsed.root;
      if (!root) return { format: xml.format, findings, summary: undefined };
      const summary = xml.rules.finish(root);
      return { format: xml.format, findings, summary };
    },
  };
}

/** Most characters gathered to tell an XML feed by its start; a longer start is checked whole. */
const EARLY_DETECTION_LIMIT = 1 << 20;

export function stripBom(text: string): string {
  return text.replace(/^\uFEFF/, "");
}

/**
 * The format once the start of the text says it as `detectFeedFormat` of the whole would: a JSON
 * Feed's version, or an XML root's tag after declarations and comments that all end before it.
 */
function detectFeedFormatEarly(head: string): FeedFormat | undefined {
  const start = head.trimStart();
  if (start.startsWith("{")) return JSON_FEED_VERSION.test(start) ? "json" : undefined;
  if (!start.startsWith("<")) return undefined;
  const stripped = start.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, "");
  const root = /<([A-Za-z_][\w.-]*:)?(rss|feed|RDF)[\s>/]/.exec(stripped);
  // An opening not yet closed might still hide it.
  if (!root || /<\?|<!--|<!DOCTYPE/.test(stripped.slice(0, root.index))) return undefined;
  return root[2] === "rss" ? "rss" : root[2] === "feed" ? "atom" : undefined;
}

/** The one finding of an XML document that is not well-formed. */
export function reportXmlError(format: FeedFormat | undefined, error: XmlError, ampersand: RawAmpersand | undefined, file: string): CheckedFeedText {
  // saxes reads a raw "&" as the start of an entity that never ends, and only complains at the
  // end of the document; point at the "&" itself.
  const line = ampersand === undefined ? error.line : ampersand.line;
  const finding: Finding = {
    severity: "error",
    code: "xml-not-well-formed",
    file,
    line: Math.min(line, error.line),
    message:
      ampersand !== undefined && line <= error.line
        ? `not well-formed XML: a raw "&" (${JSON.stringify(ampersand.excerpt)}) must be written &amp;. Every reader rejects the whole feed`
        : `not well-formed XML at column ${error.column}: ${error.message} Every reader rejects the whole feed`,
  };
  return { format, findings: [finding], summary: undefined };
}
