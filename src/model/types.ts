/**
 * The contract between the stages. Each stage is a function from one of these types to the next:
 * SourceArticle → Article → RenderedArticle → FeedModel → OutputFile.
 */

export interface Author {
  name: string;
  email?: string;
  url?: string;
}

/** A Markdown file as read from disk, before validation. */
export interface SourceArticle {
  /** Path relative to the project root, forward slashes: `articles/2025-05-03-mexico.md`. */
  file: string;
  /** File name without `.md`. */
  stem: string;
  /** Front matter as YAML gave it. */
  data: Record<string, unknown>;
  /** 1-based line of each top-level front-matter key, for messages. */
  keyLines: Record<string, number>;
  /**
   * Markdown body, BOM removed, line endings LF. Undefined when only the head of the file was read
   * (its front matter), because no feed might show the article: read later if one does.
   */
  body: string | undefined;
  /** 1-based line of the file where the body starts, for messages. */
  bodyLine: number;
}

/** A validated article: every field present in its final type. */
export interface Article {
  file: string;
  id: string;
  slug: string;
  title: string;
  /** Plain-text summary given in front matter. */
  summary: string | undefined;
  published: Date;
  updated: Date;
  /** The article leaves every feed at this instant. */
  expires: Date | undefined;
  authors: Author[];
  tags: string[];
  section: string | undefined;
  /** Cover image: an http(s) URL, or a file in the project that is copied into the output. */
  image: MediaRef | undefined;
  /** Audio, video or PDF attached to the item. */
  enclosure: MediaRef | undefined;
  draft: boolean;
  lang: string | undefined;
  /** External URL the item links to instead of the permalink. */
  canonical: string | undefined;
  /** Absolute URL of the article on the site. */
  permalink: string;
  /**
   * Markdown body as validated (XML-invalid characters removed). Undefined when it was not read:
   * only the file's head was (no feed may show the article), or the build index restored the
   * article without reading its file (then `bodyHash` stands for it). The pipeline reads the body
   * of every article a feed shows before anything is fingerprinted or rendered.
   */
  body: string | undefined;
  /** sha256 (hex) of `body`, undefined while the body was never read: the render cache and the document fingerprints key on it. */
  bodyHash: string | undefined;
}

/** A media file named in front matter, before its bytes are read. */
export interface MediaRef {
  /** Absolute URL where readers fetch it. */
  url: string;
  /** Path relative to the project root when the file is local (copied into the output). */
  localPath?: string;
  /** MIME type and byte length: read from a local file, or given with a remote URL. */
  type?: string;
  length?: number;
}

/** A media file with what readers need to know about it. */
export interface Media {
  url: string;
  type: string | undefined;
  length: number | undefined;
}

export interface RenderedArticle extends Article {
  /** Sanitized HTML with every URL absolute. */
  html: string;
  /** Plain text of the HTML up to its first line that is not blank: what a derived summary reads. */
  text: string;
}

/** A tag or section: display name plus its ASCII slug. */
export interface Term {
  name: string;
  /** ASCII slug. */
  term: string;
  /** Absolute URL of the vocabulary: the site's `tags/` or `sections/` index. */
  scheme: string;
}

export interface FeedItem {
  id: string;
  /** Where the item links: `canonical` if given, else the permalink. */
  url: string;
  permalink: string;
  title: string;
  /** Plain text, never HTML. */
  summary: string;
  html: string;
  published: Date;
  updated: Date;
  authors: Author[];
  tags: Term[];
  section: Term | undefined;
  image: Media | undefined;
  enclosure: Media | undefined;
  lang: string | undefined;
  /** False when the item carries only its summary (older items under a size option). */
  fullContent: boolean;
  /** Source file, so that a failed gate can name the article. */
  file: string;
}

/** Absolute URLs of one feed document in each format. */
export type FeedLinks = Record<FormatKey, string>;

/** RFC 5005 links of a document that is part of an archived feed. */
export interface ArchiveLinks {
  /** True for an archive document (`fh:archive`), false for the subscription feed. */
  isArchive: boolean;
  /** The subscription feed (`rel="current"`); set on archive documents. */
  current?: FeedLinks;
  /** The next older archive document. */
  prevArchive?: FeedLinks;
  /** The next newer archive document. */
  nextArchive?: FeedLinks;
}

export type FormatKey = "rss" | "atom" | "json";

export interface FeedModel {
  kind: FeedKind;
  id: string;
  title: string;
  description: string;
  homePageUrl: string;
  language: string;
  authors: Author[];
  /** Newest item change; never the clock. */
  updated: Date;
  /** Absolute URL of each format's file: the self links. */
  links: FeedLinks;
  /** WebSub hubs to advertise. */
  hubs: string[];
  /** RFC 5005: this document holds every item there is (`fh:complete`). */
  complete: boolean;
  /** RFC 5005 archive links, when the feed has archives. */
  archive: ArchiveLinks | undefined;
  items: FeedItem[];
}

/**
 * A document as text around pieces made only when asked for (issue 7): texts[0], literal(0),
 * texts[1], …, literal(n - 1), texts[n]. The JSON Feed's string literals come this way, so a build
 * never holds all of a large feed's at once.
 */
export interface LazyDocument {
  texts: string[];
  literal: (index: number) => string;
}

export interface OutputFile {
  /** Path inside the output folder, forward slashes. */
  path: string;
  contents: string;
  mediaType: string;
}

/** A local media file copied into the output as it is. */
export interface MediaCopy {
  /** Path inside the output folder, forward slashes (the same as in the project). */
  path: string;
  bytes: Uint8Array;
  mediaType: string;
}

export type FeedKind = "main" | "tag" | "section" | "author" | "archive";

/** One published feed, all formats: what the subscribe page and the OPML file list. */
export interface FeedListing {
  kind: FeedKind;
  /** Display name: the site title for the main feed, else the tag, section or author name. */
  name: string;
  /** The feed's own title, such as "Test Site: Mexico". */
  title: string;
  /** Page the feed is about. */
  homePageUrl: string;
  /** Absolute URL of each format's file. */
  links: Record<FormatKey, string>;
  /** Number of items in the feed. */
  itemCount: number;
}
