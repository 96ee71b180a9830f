import type { XmlElement } from "./parse-xml.ts";

/** One problem a feed check found, with everything a person needs to find it. */
export interface Finding {
  severity: "error" | "warning";
  /** Stable machine-readable code such as `rss-guid-permalink` or `self-link-mismatch`. */
  code: string;
  /** Path as given or relative to the current folder, forward slashes. */
  file: string;
  /** 1-based line in `file`, where known. */
  line?: number;
  /** The item concerned: its id, else its title. */
  item?: string;
  /** Element or key path, such as `channel/atom:link` or `items[2].id`. */
  field?: string;
  message: string;
}

export type FeedFormat = "rss" | "atom" | "json";

/** What the cross-format rules compare: the identity and dates of each item. */
export interface FeedItemSummary {
  id: string | undefined;
  title: string | undefined;
  url: string | undefined;
  /** Milliseconds since 1970. */
  published: number | undefined;
  updated: number | undefined;
  line: number | undefined;
}

export interface FeedSummary {
  format: FeedFormat;
  file: string;
  /** The document's own URL as it declares it: RSS/Atom self link, JSON `feed_url`. */
  selfLink: string | undefined;
  items: FeedItemSummary[];
}

/** What every per-format checker receives. */
export interface FeedCheckContext {
  /** Display path. */
  file: string;
  /** The URL this file is published at, when known: self links must equal it. */
  url: string | undefined;
  /** Dates after this instant (plus a small tolerance) are "in the future". */
  now: Date;
  report: (finding: Omit<Finding, "file">) => void;
}

/**
 * The rules of one XML feed format for one document, read as a stream: each item is checked as it
 * closes and then let go; the envelope is checked once the whole document is read.
 */
export interface XmlFeedCheck {
  /** Whether this element, just closed, is an item of the feed (an RSS `<item>`, an Atom `<entry>`). */
  isItem(element: XmlElement): boolean;
  checkItem(element: XmlElement): void;
  /** Check the envelope, then report the items' findings after its own: the document's findings in order. */
  finish(root: XmlElement): FeedSummary;
}
