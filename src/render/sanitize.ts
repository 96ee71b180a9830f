import sanitizeHtml from "sanitize-html";
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
 * Make rendered HTML safe to republish: every URL absolute against the permalink, then (unless
 * the site is trusted) only ordinary article markup kept. Characters XML forbids are dropped,
 * including ones that entity references such as `&#1;` decoded into.
 */
export function sanitizeArticleHtml(html: string, permalink: string, settings: SanitizeSettings): string {
  const transformTags = {
    "*": (tagName: string, attribs: Record<string, string>) => ({ tagName, attribs: rewriteUrls(attribs, permalink) }),
  };
  const options: sanitizeHtml.IOptions = settings.sanitize
    ? {
        allowedTags: [
          ...sanitizeHtml.defaults.allowedTags,
          "img", "picture", "source", "video", "audio", "track", "figure", "figcaption",
          "details", "summary", "del", "ins", "sup", "sub", "input", "iframe",
        ],
        allowedAttributes: {
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
        },
        allowedSchemes: ["http", "https", "mailto", "tel"],
        allowedSchemesByTag: { img: ["http", "https", "data"], source: ["http", "https", "data"] },
        allowedSchemesAppliedToAttributes: ["href", "src", "cite", "poster", "srcset"],
        allowedIframeHostnames: [...settings.iframeHosts],
        allowIframeRelativeUrls: false,
        disallowedTagsMode: "discard",
        transformTags,
      }
    : { allowedTags: false, allowedAttributes: false, allowVulnerableTags: true, transformTags };
  return stripXmlInvalid(sanitizeHtml(html, options));
}

const BLOCK_CLOSE = /<\/(p|h[1-6]|li|blockquote|pre|tr|figcaption|div)>/gi;

/** Plain text of an HTML fragment, block elements on their own lines. */
export function extractText(html: string): string {
  const text = sanitizeHtml(html.replace(BLOCK_CLOSE, "$&\n"), {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: ["script", "style", "textarea", "option", "noscript", "sup"],
  });
  return text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");
}

/**
 * The start of `extractText(html)`, up to and including its first line that is not blank: all a
 * derived summary reads (issue 7: the text of a whole article cost a fifth of its render). The
 * text is taken from ever longer prefixes of the HTML, each cut just after a block's closing tag:
 * the parse runs left to right, so the text of such a prefix is a prefix of the whole text, and
 * its last line is complete, because the cut puts a line break there.
 */
export function extractLeadText(html: string): string {
  let closers = 0;
  let next = 1;
  for (const match of html.matchAll(BLOCK_CLOSE)) {
    if (++closers < next) continue;
    next *= 2;
    const text = extractText(html.slice(0, match.index + match[0].length));
    const lines = text.split("\n");
    lines.pop();
    if (lines.some((line) => /\S/.test(line))) return text;
  }
  return extractText(html);
}
