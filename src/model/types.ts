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
  /** Markdown body, BOM removed, line endings LF. */
  body: string;
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
  authors: Author[];
  tags: string[];
  section: string | undefined;
  /** Absolute image URL. */
  image: string | undefined;
  draft: boolean;
  lang: string | undefined;
  /** External URL the item links to instead of the permalink. */
  canonical: string | undefined;
  /** Absolute URL of the article on the site. */
  permalink: string;
  body: string;
}

export interface RenderedArticle extends Article {
  /** Sanitized HTML with every URL absolute. */
  html: string;
  /** Plain text of the HTML, for the derived summary. */
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
  image: string | undefined;
  lang: string | undefined;
  /** Source file, so that a failed gate can name the article. */
  file: string;
}

export type FormatKey = "rss" | "atom" | "json";

export interface FeedModel {
  id: string;
  title: string;
  description: string;
  homePageUrl: string;
  language: string;
  authors: Author[];
  /** Newest item change; never the clock. */
  updated: Date;
  /** Absolute URL of each format's file: the self links. */
  links: Record<FormatKey, string>;
  items: FeedItem[];
}

export interface OutputFile {
  /** Path inside the output folder, forward slashes. */
  path: string;
  contents: string;
  mediaType: string;
}

export type FeedKind = "main" | "tag" | "section" | "author";

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
