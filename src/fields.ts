import { domainToASCII } from "node:url";

/**
 * Checks and normalisations shared by the config schema and the front-matter schema.
 * Pure functions on strings; no stage-specific knowledge.
 */

/** RFC 5646-shaped language tag, the pattern the Atom schema also uses for xml:lang. */
export const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

/** A pragmatic address check: one @, no spaces, a dot in the domain. */
export const EMAIL = /^[^\s@<>()"',;]+@[^\s@<>()"',;]+\.[^\s@<>()"',;]+$/;

/** RFC 4151 tagging entity: a domain name or an email address, a comma, and a date. */
export const TAGGING_ENTITY =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+|[^\s@,:]+@[a-z0-9.-]+),\d{4}(?:-\d{2}(?:-\d{2})?)?$/;

/** Parse an absolute http(s) URL into its canonical form, or undefined. */
export function parseHttpUrl(value: string): URL | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (!url.hostname) return undefined;
  return url;
}

/** An absolute URI of any scheme (tag:, urn:, https:…) in canonical form, or undefined. */
export function parseAbsoluteUri(value: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value) || !URL.canParse(value)) return undefined;
  return new URL(value).href;
}

/** Slugs already made, by text (bounded: cleared when it reaches MAX_SLUGS). */
const slugs = new Map<string, string>();
const MAX_SLUGS = 10_000;

/**
 * An ASCII slug: accents folded, lower case, runs of anything but letters and digits turned into
 * one hyphen. "Estados Unidos de México" → "estados-unidos-de-mexico". A word in another script
 * becomes its IDNA Punycode form, as browsers write such host names: "日本" → "xn--wgv71a", so
 * every tag with a letter in it gets a stable, distinct, ASCII feed folder.
 */
export function slugify(text: string): string {
  let slug = slugs.get(text);
  if (slug === undefined) {
    // A site has a few hundred distinct tags over 10,000 articles: each is slugified once.
    if (slugs.size >= MAX_SLUGS) slugs.clear();
    slugs.set(text, (slug = computeSlug(text)));
  }
  return slug;
}

function computeSlug(text: string): string {
  const words = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return words
    .map((word) => (/^[a-z0-9]+$/.test(word) ? word : domainToASCII(word)))
    .filter((word) => /^[a-z0-9-]+$/.test(word))
    .join("-");
}

/** A slug that is safe as one URL path segment and one file name: no dots-only, no separators. */
export const SAFE_SLUG = /^[a-z0-9](?:[a-z0-9._~-]*[a-z0-9])?$/i;

/**
 * Characters that XML 1.0 forbids (C0 controls but tab, LF and CR; U+FFFE, U+FFFF; lone
 * surrogates) plus the Unicode noncharacters U+FDD0–U+FDEF, which wirefeed reserves as markers.
 */
export const XML_INVALID =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Anything that might be invalid, surrogates included: a cheap test without lookarounds that
 * lets the common text (no control characters, no astral characters) skip the full pattern.
 */
const MAYBE_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFDD0-\uFDEF\uFFFE\uFFFF]/;

export function stripXmlInvalid(text: string): string {
  return MAYBE_INVALID.test(text) ? text.replace(XML_INVALID, "") : text;
}

export function hasXmlInvalid(text: string): boolean {
  if (!MAYBE_INVALID.test(text)) return false;
  XML_INVALID.lastIndex = 0;
  const found = XML_INVALID.test(text);
  XML_INVALID.lastIndex = 0;
  return found;
}

/** The registered media type of common media file extensions. */
export const MEDIA_TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", gif: "image/gif", webp: "image/webp", avif: "image/avif",
  svg: "image/svg+xml", mp3: "audio/mpeg", m4a: "audio/mp4", ogg: "audio/ogg", opus: "audio/ogg", wav: "audio/wav",
  mp4: "video/mp4", m4v: "video/mp4", webm: "video/webm", mov: "video/quicktime", pdf: "application/pdf",
};

/** The media type an absolute URL's path names by its extension (`…/a.jpg?w=1` is image/jpeg), or undefined. */
export function guessMediaType(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : MEDIA_TYPE_BY_EXTENSION[extension];
}

/** Containers that hold audio or video alike: `audio/mp4` fits a .mp4 file, `video/ogg` a .ogg one. */
const AUDIO_OR_VIDEO = new Set(["mp4", "m4a", "m4v", "webm", "ogg", "opus"]);

/** Types that only look right: `feed@6` writes them (feed-standards D17). */
const NOT_REGISTERED: Record<string, string> = {
  "image/jpg": "image/jpeg",
  "image/mp3": "audio/mpeg",
  "audio/mp3": "audio/mpeg",
  "image/mp4": "video/mp4",
  "image/pdf": "application/pdf",
  "image/svg": "image/svg+xml",
};

/**
 * Why a media type given for a URL is wrong, or undefined when it is fine: `wirefeed check` asks
 * it of every enclosure, and the front matter of a `{ url, type, length }` it is given.
 */
export function checkMediaType(type: string | undefined, url: string | undefined): string | undefined {
  if (type === undefined || type.trim() === "") return "expected a media type such as image/jpeg or audio/mpeg, got nothing";
  const essence = type.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(essence)) {
    return `expected a media type such as image/jpeg, got ${JSON.stringify(type)}`;
  }
  const registered = NOT_REGISTERED[essence];
  if (registered) return `${JSON.stringify(type)} is not a registered media type; use ${registered}`;
  const expected = url === undefined ? undefined : guessMediaType(url);
  if (expected === undefined) return undefined;
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(url as string).pathname)?.[1]?.toLowerCase() as string;
  const kind = essence.split("/")[0];
  const fits = expected.split("/")[0] === kind || (AUDIO_OR_VIDEO.has(extension) && (kind === "audio" || kind === "video" || essence === "application/ogg"));
  return fits ? undefined : `${JSON.stringify(type)} does not fit a .${extension} file; expected ${expected}`;
}
