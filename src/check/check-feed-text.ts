import { checkAtom } from "./check-atom.ts";
import { checkJson } from "./check-json.ts";
import { checkRss } from "./check-rss.ts";
import { parseXml } from "./parse-xml.ts";
import type { FeedFormat, FeedSummary, Finding } from "./types.ts";

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

/** Tell RSS, Atom and JSON Feed apart by content, not by file name. */
export function detectFeedFormat(text: string): FeedFormat | undefined {
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("{")) {
    // A "/" may be written "\/" (PHP's json_encode does).
    return /"version"\s*:\s*"https?:(?:\\?\/){2}jsonfeed\.org\\?\/version\\?\//.test(start) ? "json" : undefined;
  }
  if (!start.startsWith("<")) return undefined;
  const root = /<([A-Za-z_][\w.-]*:)?(rss|feed|RDF)[\s>/]/.exec(start.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, ""));
  if (root?.[2] === "rss") return "rss";
  if (root?.[2] === "feed") return "atom";
  return undefined;
}

/** Every rule for one feed document. Pure: text in, findings out. */
export function checkFeedText(text: string, options: CheckFeedTextOptions): CheckedFeedText {
  const findings: Finding[] = [];
  const context = {
    file: options.file,
    url: options.url,
    now: options.now,
    report: (finding: Omit<Finding, "file">) => {
      findings.push({ file: options.file, ...finding });
    },
  };
  const body = text.replace(/^\uFEFF/, "");
  const format = detectFeedFormat(body);
  if (format === undefined) {
    findings.push({ severity: "error", code: "not-a-feed", file: options.file, line: 1, message: "not an RSS 2.0, Atom 1.0 or JSON Feed document" });
    return { format, findings, summary: undefined };
  }
  if (format === "json") return { format, findings, summary: checkJson(body, context) };

  const parsed = parseXml(body);
  if (parsed.error) {
    // saxes reads a raw "&" as the start of an entity that never ends, and only complains at the
    // end of the document; point at the "&" itself.
    const ampersand = findRawAmpersand(body);
    const line = ampersand === undefined ? parsed.error.line : lineAt(body, ampersand);
    findings.push({
      severity: "error",
      code: "xml-not-well-formed",
      file: options.file,
      line: Math.min(line, parsed.error.line),
      message:
        ampersand !== undefined && line <= parsed.error.line
          ? `not well-formed XML: a raw "&" (${JSON.stringify(body.slice(ampersand, ampersand + 12))}) must be written &amp;. Every reader rejects the whole feed`
          : `not well-formed XML at column ${parsed.error.column}: ${parsed.error.message} Every reader rejects the whole feed`,
    });
    return { format, findings, summary: undefined };
  }
  if (parsed.encoding !== undefined && !/^utf-?8$/i.test(parsed.encoding)) {
    findings.push({ severity: "warning", code: "xml-encoding", file: options.file, line: 1, message: `declares encoding="${parsed.encoding}"; feeds should be UTF-8 and say so` });
  }
  const root = parsed.root;
  if (!root) return { format, findings, summary: undefined };
  const summary = format === "rss" ? checkRss(root, context) : checkAtom(root, context);
  return { format, findings, summary };
}

/** Offset of the first "&" that starts no reference, outside CDATA sections and comments. */
function findRawAmpersand(text: string): number | undefined {
  const pattern = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z_][\w.-]*;)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[0] === "&") return match.index;
  }
  return undefined;
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}
