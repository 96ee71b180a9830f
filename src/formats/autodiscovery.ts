import type { FeedListing, FormatKey } from "../model/types.ts";
import { escapeHtml } from "./feed-workarounds.ts";
import { FORMATS } from "./registry.ts";

export interface AutodiscoveryOptions {
  /**
   * Formats to advertise. Default: all three. The order is always RSS, Atom, JSON Feed, whatever
   * order this list has.
   */
  formats?: readonly FormatKey[];
  /** Put before every tag, such as `"    "` inside an indented `<head>`. Default: none. */
  indent?: string;
}

/** The order of the links; see generateAutodiscoveryLinks for why. */
export const AUTODISCOVERY_ORDER: readonly FormatKey[] = ["rss", "atom", "json"];

/** Human name of each format, used in each link's title so every link names a different feed. */
export const FORMAT_LABELS: Readonly<Record<FormatKey, string>> = {
  rss: "RSS",
  atom: "Atom",
  json: "JSON Feed",
};

/**
 * The `<link rel="alternate">` tags that let browsers and readers find a feed from an HTML page
 * (feed-standards §2.7), one per line, with no final newline. Each `href` is the feed's own self
 * link (the RSS `atom:link rel="self"`, the Atom `link rel="self"`, the JSON `feed_url`), so a
 * reader subscribes to exactly the URL the feed calls itself.
 *
 * RSS Autodiscovery says publishers who offer one feed in several formats SHOULD NOT link all of
 * them, and that the first link is the one a reader picks; JSON Feed says a page should link its
 * JSON Feed. We list all three, because a reader that only understands one format must still
 * find it, and keep the conflict harmless by order: RSS first, as the primary feed every reader
 * parses, then Atom, then JSON Feed; readers that take a single link take the first one. Each
 * title names the format, so the links identify different documents.
 */
export function generateAutodiscoveryLinks(feed: FeedListing, options: AutodiscoveryOptions = {}): string {
  const wanted = new Set(options.formats ?? AUTODISCOVERY_ORDER);
  const indent = options.indent ?? "";
  return AUTODISCOVERY_ORDER.filter((key) => wanted.has(key))
    .map((key) => {
      const type = mediaTypeOf(key);
      const title = `${feed.title} (${FORMAT_LABELS[key]})`;
      return `${indent}<link rel="alternate" type="${type}" title="${escapeHtml(title)}" href="${escapeHtml(feed.links[key])}">`;
    })
    .join("\n");
}

/**
 * The text of the standalone snippet file (`dist/autodiscovery.html`): a comment saying where it
 * goes, then the links, ending with a newline. The comment holds no site text, so nothing in it
 * needs escaping.
 */
export function generateAutodiscoverySnippet(feed: FeedListing, options: AutodiscoveryOptions = {}): string {
  return [
    "<!-- Feed autodiscovery, written by wirefeed: paste these lines inside the <head> of your pages. -->",
    generateAutodiscoveryLinks(feed, options),
    "",
  ].join("\n");
}

/** The media type the registry serves the format as: one source for both. */
export function mediaTypeOf(key: FormatKey): string {
  const format = FORMATS.find((candidate) => candidate.key === key);
  // The registry lists every FormatKey; this only fails if a key is added there and not here.
  if (!format) throw new Error(`no format registered for ${key}`);
  return format.mediaType;
}
