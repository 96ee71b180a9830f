import { slugify } from "../fields.ts";
import type { FeedPlan, SiteSettings } from "./plan-feeds.ts";
import type { Author, FeedItem, FeedModel, Media, MediaRef, RenderedArticle, Term } from "./types.ts";

/** Length of a summary derived from the body, in characters. */
export const SUMMARY_LENGTH = 280;

export interface ModelSettings extends SiteSettings {
  author: Author;
  hubs: readonly string[];
  /** Only the newest this many items carry full content. */
  fullContentItems?: number | undefined;
}

/** One planned feed + the rendered articles → the format-neutral feed. Pure. */
export function buildModel(plan: FeedPlan, articles: ReadonlyMap<string, RenderedArticle>, site: ModelSettings): FeedModel {
  const items = plan.articleIds.map((id, index) => {
    const article = articles.get(id);
    if (!article) throw new Error(`article ${id} was planned but not rendered`);
    return buildModelItem(article, index, site);
  });
  return assembleModel(plan, items, site);
}

/** The item at `index` (newest first) of a feed, from its rendered article: what `buildModel` makes of it. */
export function buildModelItem(article: RenderedArticle, index: number, site: ModelSettings): FeedItem {
  return toFeedItem(article, site, site.fullContentItems === undefined || index < site.fullContentItems);
}

/** A planned feed with its items (`buildModelItem`, in plan order) → the format-neutral feed. */
export function assembleModel(plan: FeedPlan, items: FeedItem[], site: ModelSettings): FeedModel {
  const newest = items.reduce((max, item) => Math.max(max, item.updated.getTime()), plan.removedAt?.getTime() ?? 0);
  return {
    kind: plan.kind,
    id: plan.id,
    title: plan.title,
    description: site.description,
    homePageUrl: site.siteUrl,
    language: site.language,
    authors: [site.author],
    // The newest item change or expiry, never the clock; an empty feed has no change to show (epoch).
    updated: new Date(newest),
    links: plan.links,
    hubs: [...site.hubs],
    complete: plan.complete,
    archive: plan.archive,
    items,
  };
}

function toTerm(name: string, scheme: string): Term {
  return { name, term: slugify(name), scheme };
}

function toMedia(ref: MediaRef | undefined): Media | undefined {
  return ref ? { url: ref.url, type: ref.type, length: ref.length } : undefined;
}

function toFeedItem(article: RenderedArticle, site: ModelSettings, fullContent: boolean): FeedItem {
  const tagScheme = new URL("tags/", site.siteUrl).href;
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
    section: article.section ? toTerm(article.section, new URL("sections/", site.siteUrl).href) : undefined,
    image: toMedia(article.image),
    enclosure: toMedia(article.enclosure),
    lang: article.lang,
    fullContent,
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
