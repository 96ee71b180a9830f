import { FUTURE_TOLERANCE_MS } from "../dates.ts";
import { LANGUAGE_TAG, checkMediaType } from "../fields.ts";
import { findRelativeUrls, isHttpUrl } from "./inspect-html.ts";
import { type ParsedDate, parseRfc3339, parseRfc822 } from "./parse-feed-date.ts";
import type { FeedCheckContext, Finding } from "./types.ts";


export interface Where {
  line?: number | undefined;
  item?: string | undefined;
  field?: string;
}

function at(where: Where): Where {
  const out: Where = {};
  if (where.line !== undefined) out.line = where.line;
  if (where.item !== undefined) out.item = where.item;
  if (where.field !== undefined) out.field = where.field;
  return out;
}

export function reportError(context: FeedCheckContext, code: string, where: Where, message: string): void {
  context.report({ severity: "error", code, ...at(where), message });
}

export function reportWarning(context: FeedCheckContext, code: string, where: Where, message: string): void {
  context.report({ severity: "warning", code, ...at(where), message });
}

/** Check a date field and return its instant (undefined when missing or invalid). */
export function checkDate(
  context: FeedCheckContext,
  value: string | undefined,
  syntax: "rfc822" | "rfc3339-atom" | "rfc3339",
  where: Where,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed: ParsedDate =
    syntax === "rfc822" ? parseRfc822(value) : parseRfc3339(value, { uppercase: syntax === "rfc3339-atom" });
  if (!parsed.ok) {
    reportError(context, parsed.weekday ? "date-weekday" : "date-invalid", where, `${parsed.reason}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  const time = parsed.date.getTime();
  if (time > context.now.getTime() + FUTURE_TOLERANCE_MS) {
    reportWarning(
      context,
      "date-future",
      where,
      `${JSON.stringify(value)} is after the check time ${context.now.toISOString()}; readers hide or misplace future items (pass --now to check as of another instant)`,
    );
  }
  return time;
}

/** A surrogate that is half of no pair: JSON's `\ud800` escape makes one, and encodeURI throws on it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A URL field that readers resolve on their own must be absolute http(s). */
export function checkHttpUrl(
  context: FeedCheckContext,
  value: string | undefined,
  where: Where,
  what: string,
  options: { ascii?: boolean } = {},
): void {
  if (value === undefined) return;
  if (value.trim() === "") reportError(context, "url-invalid", where, `${what} is empty; expected an absolute http(s) URL`);
  else if (options.ascii && /[^\x21-\x7e]/.test(value)) {
    reportError(context, "url-invalid", where, `${what} has spaces or non-ASCII characters: percent-encode them (${JSON.stringify(isHttpUrl(value) ? new URL(value).href : encodeURI(value.replace(LONE_SURROGATE, "\uFFFD")))}), got ${JSON.stringify(value)}`);
  }
  else if (!isHttpUrl(value)) {
    const relative = !/^[a-z][a-z0-9+.-]*:/i.test(value);
    reportError(
      context,
      relative ? "relative-url" : "url-invalid",
      where,
      `${what} must be an absolute http(s) URL, got ${JSON.stringify(value)}${relative ? "; readers resolve relative URLs differently, or not at all" : ""}`,
    );
  }
}

/** Relative URLs in an HTML payload resolve against the feed's URL in readers, not the article's. */
export function checkHtmlUrls(context: FeedCheckContext, html: string | undefined, where: Where, what: string): void {
  if (!html) return;
  const relative = findRelativeUrls(html);
  if (relative.length === 0) return;
  const shown = relative.slice(0, 3).map((url) => `${url.attribute}=${JSON.stringify(url.value)}`).join(", ");
  reportError(
    context,
    "relative-url",
    where,
    `${what} has ${relative.length} relative URL(s) (${shown}${relative.length > 3 ? ", …" : ""}); make every href/src absolute`,
  );
}

export function checkLanguage(context: FeedCheckContext, value: string | undefined, where: Where, what: string): void {
  if (value === undefined || value.trim() === "") {
    reportWarning(context, "language-missing", where, `no ${what}: readers and screen readers cannot tell the language (e.g. en or es-MX)`);
  } else if (!LANGUAGE_TAG.test(value.trim())) {
    reportError(context, "language-invalid", where, `${what} must be a language tag like en or es-MX, got ${JSON.stringify(value)}`);
  }
}

export function checkEnclosureType(context: FeedCheckContext, type: string | undefined, url: string | undefined, where: Where): void {
  const problem = checkMediaType(type, url);
  if (problem) reportError(context, "enclosure-type-invalid", where, problem);
}

/**
 * A self link must be absolute and equal to the URL the file is published at, when that is known
 * (feed-standards D19: `feed@6` can point the RSS self link at the Atom file).
 */
export function checkSelfLink(
  context: FeedCheckContext,
  href: string | undefined,
  where: Where,
  what: string,
): void {
  if (href === undefined) {
    reportWarning(context, "self-link-missing", where, `no ${what}: readers and WebSub hubs cannot tell where this feed lives`);
    return;
  }
  if (!isHttpUrl(href)) {
    reportError(context, "self-link-mismatch", where, `${what} must be the absolute URL of this file, got ${JSON.stringify(href)}`);
    return;
  }
  if (context.url !== undefined && new URL(href).href !== new URL(context.url).href) {
    reportError(
      context,
      "self-link-mismatch",
      where,
      `${what} is ${JSON.stringify(href)} but this file is published at ${JSON.stringify(context.url)}; readers would subscribe to the wrong feed`,
    );
  }
}

/** Ids must be unique within a document. Returns the ids seen, for the caller's other checks. */
export function createIdRegistry(context: FeedCheckContext, what: string) {
  const seen = new Map<string, number | undefined>();
  return (id: string, where: Where) => {
    if (seen.has(id)) {
      const first = seen.get(id);
      reportError(
        context,
        "id-duplicate",
        where,
        `${what} ${JSON.stringify(id)} is used twice${first === undefined ? "" : ` (first at line ${first})`}; readers merge or drop one of the items`,
      );
    } else seen.set(id, where.line);
  };
}

/**
 * The same text in a string of its own. A parser hands over text as slices of the piece of the
 * document it is reading (saxes), or of the text it parses (JSON.parse), and V8 keeps a whole
 * string alive for any slice of it: an item's title kept for the cross-format rules would keep
 * each piece read, the whole document in the end.
 */
export function copyText(text: string): string {
  return text === "" ? text : ` ${text}`.slice(1);
}

/**
 * Findings held back until the end of a document: its items are checked as each is read, but
 * their findings come after those of the envelope (the channel or feed), which may end after them.
 */
export function createHeldFindings(context: FeedCheckContext) {
  const held: Omit<Finding, "file">[] = [];
  return {
    /** The context to check items with: it holds what they report. */
    context: {
      ...context,
      report: (finding: Omit<Finding, "file">) => void held.push(finding.item === undefined ? finding : { ...finding, item: copyText(finding.item) }),
    } satisfies FeedCheckContext,
    /** Report what is held, in order, but what `keep` turns down. */
    release(keep: (finding: Omit<Finding, "file">) => boolean = () => true): void {
      for (const finding of held) if (keep(finding)) context.report(finding);
      held.length = 0;
    },
  };
}
