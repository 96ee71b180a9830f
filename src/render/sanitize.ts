import { createRequire } from "node:module";
import type SanitizeHtml from "sanitize-html";
import { stripXmlInvalid } from "../fields.ts";

export interface SanitizeSettings {
  /** Remove scripts, styles, event handlers and dangerous URLs. Default true. */
  sanitize: boolean;
  /** Hosts whose `<iframe>` embeds are kept, such as `www.youtube-nocookie.com`. */
  iframeHosts: readonly string[];
}

const URL_ATTRIBUTES = ["href", "src", "poster", "cite"] as const;
const SAFE_DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|webp|avif);base64,[a-z0-9+/=\s]*$/i;

/** Resolve one URL against the article's permalink; `#x` becomes `<permalink>#x`. */
function absolutize(value: string, base: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  if (!URL.canParse(trimmed, base)) return undefined;
  return new URL(trimmed, base).href;
}

function absolutizeSrcset(value: string, base: string): string {
  return value
    .split(",")
    .map((candidate) => {
      const [url, ...descriptor] = candidate.trim().split(/\s+/);
      const absolute = url ? absolutize(url, base) : undefined;
      return absolute ? [absolute, ...descriptor].join(" ") : "";
    })
    .filter(Boolean)
    .join(", ");
}

function rewriteUrls(attribs: Record<string, string>, base: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attribs)) {
    if ((URL_ATTRIBUTES as readonly string[]).includes(name)) {
      if (name === "src" && /^\s*data:/i.test(value)) {
        if (SAFE_DATA_IMAGE.test(value.trim())) out[name] = value.trim();
        continue;
      }
      const absolute = absolutize(value, base);
      if (absolute !== undefined) out[name] = absolute;
    } else if (name === "srcset") {
      out[name] = absolutizeSrcset(value, base);
    } else out[name] = value;
  }
  return out;
}

/**
 * sanitize-html, loaded the first time some HTML needs it: most Markdown takes the path that works
 * out its result without it (`sanitizeArticle`), and loading it (with htmlparser2 and postcss)
 * cost every build that renders anything about 40 ms (issue 7: a warm rebuild renders one article).
 */
let sanitizeHtmlModule: typeof SanitizeHtml | undefined;
function sanitizeHtml(html: string, options: SanitizeHtml.IOptions): string {
  sanitizeHtmlModule ??= createRequire(import.meta.url)("sanitize-html") as typeof SanitizeHtml;
  return sanitizeHtmlModule(html, options);
}

/**
 * sanitize-html's `defaults.allowedTags` and `defaults.selfClosing`, as
 * of the version in package.json; a test holds them to the library's, so an upgrade that changes
 * them fails it rather than changing the output unseen.
 */
export const SANITIZE_HTML_DEFAULT_TAGS: readonly string[] = [
  "address", "article", "aside", "footer", "header", "h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "main", "nav", "section",
  "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "hr", "li", "menu", "ol", "p", "pre", "ul", "a", "abbr", "b",
  "bdi", "bdo", "br", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "rb", "rp", "rt", "rtc", "ruby", "s", "samp",
  "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "caption", "col", "colgroup", "table", "tbody", "td",
  "tfoot", "th", "thead", "tr",
];
export const SANITIZE_HTML_SELF_CLOSING: readonly string[] = ["img", "br", "hr", "area", "base", "basefont", "input", "link", "meta"];

const ALLOWED_TAGS: readonly string[] = [
  ...SANITIZE_HTML_DEFAULT_TAGS,
  "img", "picture", "source", "video", "audio", "track", "figure", "figcaption",
  "details", "summary", "del", "ins", "sup", "sub", "input", "iframe",
];
const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  "*": ["id", "class", "lang", "dir", "title", "aria-label", "aria-describedby", "data-footnote-ref", "data-footnote-backref", "data-footnotes"],
  a: ["href", "name", "rel"],
  img: ["src", "srcset", "sizes", "alt", "width", "height", "loading"],
  source: ["src", "srcset", "sizes", "type", "media"],
  video: ["src", "poster", "controls", "width", "height", "loop", "muted", "playsinline"],
  audio: ["src", "controls", "loop"],
  track: ["src", "kind", "srclang", "label", "default"],
  iframe: ["src", "width", "height", "allowfullscreen", "loading"],
  input: ["type", "checked", "disabled"],
  ol: ["start", "reversed"],
  li: ["value"],
  td: ["align", "colspan", "rowspan"],
  th: ["align", "colspan", "rowspan", "scope"],
  blockquote: ["cite"],
  q: ["cite"],
  details: ["open"],
};
const ALLOWED_SCHEMES: readonly string[] = ["http", "https", "mailto", "tel"];
const ALLOWED_SCHEMES_BY_TAG: Readonly<Record<string, readonly string[]>> = { img: ["http", "https", "data"], source: ["http", "https", "data"] };

/**
 * Make rendered HTML safe to republish: every URL absolute against the permalink, then (unless
 * the site is trusted) only ordinary article markup kept. Characters XML forbids are dropped,
 * including ones that entity references such as `&#1;` decoded into.
 */
export function sanitizeArticleHtml(html: string, permalink: string, settings: SanitizeSettings): string {
  const transformTags = {
    "*": (tagName: string, attribs: Record<string, string>) => ({ tagName, attribs: rewriteUrls(attribs, permalink) }),
  };
  const options: SanitizeHtml.IOptions = settings.sanitize
    ? {
        allowedTags: [...ALLOWED_TAGS],
        allowedAttributes: Object.fromEntries(Object.entries(ALLOWED_ATTRIBUTES).map(([tag, names]) => [tag, [...names]])),
        allowedSchemes: [...ALLOWED_SCHEMES],
        allowedSchemesByTag: Object.fromEntries(Object.entries(ALLOWED_SCHEMES_BY_TAG).map(([tag, schemes]) => [tag, [...schemes]])),
        allowedSchemesAppliedToAttributes: ["href", "src", "cite", "poster", "srcset"],
        allowedIframeHostnames: [...settings.iframeHosts],
        allowIframeRelativeUrls: false,
        disallowedTagsMode: "discard",
        transformTags,
      }
    : { allowedTags: false, allowedAttributes: false, allowVulnerableTags: true, transformTags };
  return stripXmlInvalid(sanitizeHtml(html, options));
}

/**
 * An article's safe HTML (`sanitizeArticleHtml`, trimmed) and its lead text (`extractLeadText`),
 * from the HTML marked rendered of `markdown`. When the Markdown holds no `<` (no raw HTML), both
 * are worked out from the shapes marked writes when they can be (`sanitizeMarkedHtml`), without
 * parsing the HTML again: the same bytes, at a fraction of the cost (issue 7).
 */
export function sanitizeArticle(html: string, permalink: string, settings: SanitizeSettings, markdown: string): { html: string; text: string } {
  const direct = settings.sanitize && !markdown.includes("<") ? sanitizeMarkedHtml(html, permalink) : undefined;
  if (direct === undefined) {
    const safe = sanitizeArticleHtml(html, permalink, settings).trim();
    return { html: safe, text: extractLeadText(safe) };
  }
  const safe = stripXmlInvalid(direct).trim();
  return { html: safe, text: extractLeadText(safe, extractMarkedText) };
}

/**
 * What one pass over marked's HTML stops at: a tag (no `<` or `>` inside: marked escapes them in
 * attributes), the two references sanitize-html writes decoded in text, a `>` in text, and what
 * marked never writes: an `&` that begins none of its five references, a `<` that begins no tag.
 */
const MARKED_TOKEN = /<[^<>]*>|&(?:quot|#39);|&(?!(?:amp|lt|gt);)|[<>]/g;
/** A start tag as marked writes it: lower-case name, each attribute ` name="value"`. */
const MARKED_START_TAG = /^<([a-z][a-z0-9]*)((?: [a-z][a-z-]*="[^"]*")*)>$/;
const MARKED_END_TAG = /^<\/([a-z][a-z0-9]*)>$/;
const MARKED_ATTRIBUTE = / ([a-z][a-z-]*)="([^"]*)"/g;
const MARKED_REFERENCE = /&(?:amp|lt|gt|quot|#39);/g;
/** Any other reference: htmlparser2 would decode it, so the attribute goes to sanitize-html. */
const FOREIGN_REFERENCE = /&(?!(?:amp|lt|gt|quot|#39);)/;
const DECODED: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
const KEPT_TAGS = new Set(ALLOWED_TAGS);
const KEPT_ATTRIBUTES = new Map(Object.entries(ALLOWED_ATTRIBUTES).map(([tag, names]) => [tag, new Set(names)]));
/** Elements marked writes with no end tag; sanitize-html writes them as `<x />`. */
const VOID_TAGS = new Set(["img", "br", "hr", "input"].filter((tag) => SANITIZE_HTML_SELF_CLOSING.includes(tag)));
/** Attributes marked writes empty, and how sanitize-html writes them then. */
const EMPTY_ATTRIBUTES: Readonly<Record<string, string>> = { alt: ' alt=""', checked: " checked", disabled: " disabled" };

/** An attribute value as sanitize-html writes it once htmlparser2 has decoded it. */
function escapeAttribute(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

function decodeMarkedReferences(text: string): string {
  return text.includes("&") ? text.replace(MARKED_REFERENCE, (reference) => DECODED[reference] as string) : text;
}

/**
 * What sanitize-html (with the settings above, `sanitize: true`) makes of HTML that marked rendered
 * from Markdown with no raw HTML, worked out without parsing it again (issue 7: that parse cost as
 * much as marked itself). It reads only the shapes marked writes: balanced start and end tags the
 * allowlist keeps, with attributes it keeps, text with marked's five character references, and
 * URLs that resolve to an allowed scheme. Text changes only where sanitize-html writes it another
 * way (`&quot;` and `&#39;` decoded, `>` escaped); so one pass of the regular expression engine
 * over the text does. Anything else returns undefined, and the caller runs sanitize-html. A
 * property test holds it to sanitize-html's bytes.
 *
 * Only for what marked makes of Markdown with no `<` (`sanitizeArticle` checks): raw HTML can nest
 * in ways htmlparser2 repairs (`<p>a<p>b</p></p>`), which this does not undo.
 */
export function sanitizeMarkedHtml(html: string, permalink: string): string | undefined {
  const open: string[] = [];
  let failed = false;
  const out = html.replace(MARKED_TOKEN, (token) => {
    if (failed) return "";
    if (token === "&quot;") return '"';
    if (token === "&#39;") return "'";
    if (token === ">") return "&gt;";
    const made = token.length === 1 ? undefined : token.charCodeAt(1) === 0x2f ? closeMarkedTag(token, open) : openMarkedTag(token, open, permalink);
    if (made === undefined) failed = true;
    return made ?? "";
  });
  return failed || open.length > 0 ? undefined : out;
}

function closeMarkedTag(token: string, open: string[]): string | undefined {
  const end = MARKED_END_TAG.exec(token);
  return end && open.pop() === end[1] ? token : undefined;
}

function openMarkedTag(token: string, open: string[], permalink: string): string | undefined {
  const start = MARKED_START_TAG.exec(token);
  const tag = start?.[1];
  if (tag === undefined || !KEPT_TAGS.has(tag) || (token.includes("&") && FOREIGN_REFERENCE.test(token))) return undefined;
  let out = `<${tag}`;
  for (const [, name, raw] of (start?.[2] as string).matchAll(MARKED_ATTRIBUTE)) {
    const attribute = sanitizeMarkedAttribute(tag, name as string, decodeMarkedReferences(raw as string), permalink);
    if (attribute === undefined) return undefined;
    out += attribute;
  }
  if (VOID_TAGS.has(tag)) return `${out} />`;
  open.push(tag);
  return `${out}>`;
}

/** One attribute as sanitize-html writes it (`""` when it drops it), or undefined when unsure. */
function sanitizeMarkedAttribute(tag: string, name: string, value: string, permalink: string): string | undefined {
  if (!KEPT_ATTRIBUTES.get("*")?.has(name) && !KEPT_ATTRIBUTES.get(tag)?.has(name)) return undefined;
  if (value === "") return EMPTY_ATTRIBUTES[name];
  if (name !== "href" && name !== "src") {
    return (URL_ATTRIBUTES as readonly string[]).includes(name) || name === "srcset" ? undefined : ` ${name}="${escapeAttribute(value)}"`;
  }
  if (/^\s*data:/i.test(value)) return undefined;
  const absolute = absolutize(value, permalink);
  // rewriteUrls drops a URL that does not resolve.
  if (absolute === undefined) return "";
  const scheme = absolute.slice(0, absolute.indexOf(":"));
  if (!(ALLOWED_SCHEMES_BY_TAG[tag] ?? ALLOWED_SCHEMES).includes(scheme)) return undefined;
  return ` ${name}="${escapeAttribute(absolute)}"`;
}

/** Text with the references sanitize-html writes decoded. */
function decodeEscapes(text: string): string {
  return text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");
}

const BLOCK_CLOSE = /<\/(p|h[1-6]|li|blockquote|pre|tr|figcaption|div)>/gi;

/** Plain text of an HTML fragment, block elements on their own lines. */
export function extractText(html: string): string {
  const text = sanitizeHtml(html.replace(BLOCK_CLOSE, "$&\n"), {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: ["script", "style", "textarea", "option", "noscript", "sup"],
  });
  return decodeEscapes(text);
}

const MARKED_TAG = /<[^>]*>/g;

/**
 * `extractText` of what `sanitizeMarkedHtml` gives (its only tags are marked's, none of them
 * `extractText`'s non-text tags, and its text escapes only `&`, `<` and `>`), without a parse.
 */
export function extractMarkedText(html: string): string {
  return decodeEscapes(html.replace(BLOCK_CLOSE, "$&\n").replace(MARKED_TAG, ""));
}

/**
 * The start of `extractText(html)`, up to and including its first line that is not blank: all a
 * derived summary reads (issue 7: the text of a whole article cost a fifth of its render). The
 * text is taken from ever longer prefixes of the HTML, each cut just after a block's closing tag:
 * the parse runs left to right, so the text of such a prefix is a prefix of the whole text, and
 * its last line is complete, because the cut puts a line break there.
 */
export function extractLeadText(html: string, extract: (html: string) => string = extractText): string {
  let closers = 0;
  let next = 1;
  for (const match of html.matchAll(BLOCK_CLOSE)) {
    if (++closers < next) continue;
    next *= 2;
    const text = extract(html.slice(0, match.index + match[0].length));
    const lines = text.split("\n");
    lines.pop();
    if (lines.some((line) => /\S/.test(line))) return text;
  }
  return extract(html);
}
