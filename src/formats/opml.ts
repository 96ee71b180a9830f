import { stripXmlInvalid } from "../fields.ts";
import type { FeedKind, FeedListing } from "../model/types.ts";
import { escapeXmlAttribute } from "./feed-workarounds.ts";

/** What the OPML head says about the site. */
export interface OpmlSite {
  /** Site title; the document title is "<title> feeds". */
  title: string;
  /** Absolute site URL; feed links that are not absolute resolve against it. */
  siteUrl: string;
  /** Written as `<ownerName>` when given. */
  ownerName?: string;
  /**
   * Written as `<dateModified>` when given: pass the newest item change, never the clock,
   * so that an unchanged site gives an unchanged file.
   */
  updated?: Date;
}

/** Folder names of the nested outlines, in document order; the main feed sits above them. */
const GROUPS: readonly { kind: Exclude<FeedKind, "main">; text: string }[] = [
  { kind: "tag", text: "Tags" },
  { kind: "section", text: "Sections" },
  { kind: "author", text: "Authors" },
];

/**
 * Every feed of the site as an OPML 2.0 subscription list (http://opml.org/spec2.opml), so a
 * reader can import them all at once. The main feed comes first, at the top level; tag, section
 * and author feeds follow in one folder outline per kind, in the order given. Readers such as
 * Feedly and Inoreader turn a folder outline into a folder and flatten anything deeper, so the
 * list is never more than two levels deep.
 */
export function generateOpml(site: OpmlSite, feeds: readonly FeedListing[]): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    "  <head>",
    `    <title>${escapeXml(`${site.title} feeds`)}</title>`,
    ...(site.updated ? [`    <dateModified>${site.updated.toUTCString()}</dateModified>`] : []),
    ...(site.ownerName ? [`    <ownerName>${escapeXml(site.ownerName)}</ownerName>`] : []),
    "    <docs>http://opml.org/spec2.opml</docs>",
    "  </head>",
  ];
  const main = feeds.filter((feed) => feed.kind === "main");
  const groups = GROUPS.map((group) => ({ ...group, feeds: feeds.filter((feed) => feed.kind === group.kind) }))
    .filter((group) => group.feeds.length > 0);
  if (main.length === 0 && groups.length === 0) {
    lines.push("  <body/>");
  } else {
    lines.push("  <body>");
    for (const feed of main) lines.push(`    ${feedOutline(feed, site.siteUrl)}`);
    for (const group of groups) {
      lines.push(`    <outline text="${escapeXml(group.text)}">`);
      for (const feed of group.feeds) lines.push(`      ${feedOutline(feed, site.siteUrl)}`);
      lines.push("    </outline>");
    }
    lines.push("  </body>");
  }
  lines.push("</opml>");
  return `${lines.join("\n")}\n`;
}

/**
 * One outline per feed, pointing at its RSS file. OPML 2.0 defines subscription outlines only
 * with `type="rss"`, and importers (Feedly, Inoreader, NetNewsWire, Miniflux) look for that
 * value whatever the feed's real format is; listing the Atom and JSON Feed files too would
 * subscribe a reader to the same articles three times. RSS is the format every reader parses,
 * so its URL is the one listed, and `version="RSS2"` says which RSS that is.
 */
function feedOutline(feed: FeedListing, siteUrl: string): string {
  const attributes: [string, string][] = [
    ["type", "rss"],
    ["version", "RSS2"],
    ["text", feed.title],
    ["title", feed.title],
    ["xmlUrl", new URL(feed.links.rss, siteUrl).href],
    ["htmlUrl", new URL(feed.homePageUrl, siteUrl).href],
  ];
  return `<outline ${attributes.map(([name, value]) => `${name}="${escapeXml(value)}"`).join(" ")}/>`;
}

/**
 * Text for an XML 1.0 element or double-quoted attribute. Tab, CR and LF become character
 * references, because attribute-value normalisation would otherwise turn them into spaces;
 * characters XML 1.0 cannot carry at all (C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped.
 */
function escapeXml(text: string): string {
  return escapeXmlAttribute(stripXmlInvalid(text))
    .replaceAll("\t", "&#9;")
    .replaceAll("\n", "&#10;")
    .replaceAll("\r", "&#13;");
}
