import { slugify } from "../fields.ts";
import type { Article, Author, FeedItem, FeedModel, FormatKey, RenderedArticle, Term } from "./types.ts";

export interface SiteSettings {
  title: string;
  description: string;
  siteUrl: string;
  language: string;
  idAuthority: string;
  author: Author;
  files: Record<FormatKey, string>;
}

export interface SelectOptions {
  /** The build instant: articles dated after it are "future". */
  now: Date;
  drafts: boolean;
  future: boolean;
  /** Keep at most this many, newest first. */
  limit: number;
}

/** Length of a summary derived from the body, in characters. */
export const SUMMARY_LENGTH = 280;

/**
 * Drafts and future articles out (unless asked for), newest first, ties broken by id, cut to
 * the limit. Runs before rendering, so only articles that appear in a feed are rendered.
 */
export function selectArticles<T extends Article>(articles: readonly T[], options: SelectOptions): T[] {
  return articles
    .filter((article) => options.drafts || !article.draft)
    .filter((article) => options.future || article.published.getTime() <= options.now.getTime())
    .sort(compareNewestFirst)
    .slice(0, options.limit);
}

export function compareNewestFirst(a: { published: Date; id: string }, b: { published: Date; id: string }): number {
  return b.published.getTime() - a.published.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Selected articles + site settings → the format-neutral feed. Pure. */
export function buildModel(selected: readonly RenderedArticle[], site: SiteSettings): FeedModel {
  const items = selected.map((article) => toFeedItem(article, site.siteUrl));
  const newest = items.reduce((max, item) => Math.max(max, item.updated.getTime()), 0);
  return {
    id: `tag:${site.idAuthority}:feed`,
    title: site.title,
    description: site.description,
    homePageUrl: site.siteUrl,
    language: site.language,
    authors: [site.author],
    // The newest item change, never the clock; an empty feed has no change to show (epoch).
    updated: new Date(newest),
    links: {
      rss: new URL(site.files.rss, site.siteUrl).href,
      atom: new URL(site.files.atom, site.siteUrl).href,
      json: new URL(site.files.json, site.siteUrl).href,
    },
    items,
  };
}

function toTerm(name: string, scheme: string): Term {
  return { name, term: slugify(name), scheme };
}

function toFeedItem(article: RenderedArticle, siteUrl: string): FeedItem {
  const tagScheme = new URL("tags/", siteUrl).href;
  const seen = new Set<string>();
  const tags = article.tags
    .map((name) => toTerm(name, tagScheme))
    .filter((tag) => !seen.has(tag.term) && seen.add(tag.term));
  return {
    id: article.id,
    url: article.canonical ?? article.permalink,
    permalink: article.permalink,
    title: article.title,
    summary: article.summary ?? deriveSummary(article.text),
    html: article.html,
    published: article.published,
    updated: article.updated,
    authors: article.authors,
    tags,
    section: article.section ? toTerm(article.section, new URL("sections/", siteUrl).href) : undefined,
    image: article.image,
    lang: article.lang,
    file: article.file,
  };
}

/** The first paragraph of the text, cut at a word boundary near SUMMARY_LENGTH. */
export function deriveSummary(text: string): string {
  const paragraph = text.split("\n").map((line) => line.replace(/\s+/g, " ").trim()).find(Boolean) ?? "";
  const characters = [...paragraph];
  if (characters.length <= SUMMARY_LENGTH) return paragraph;
  const cut = characters.slice(0, SUMMARY_LENGTH).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > SUMMARY_LENGTH / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, "")}…`;
}
