import { Feed, type Item } from "feed";
import type { FeedItem, FeedModel } from "../model/types.ts";
import { categoriesOf } from "./categories.ts";
import { cdataHtml, cdataPlain, escapeHtml, escapeUrlAttribute, finishXml, protectText } from "./feed-workarounds.ts";

/** FeedModel → RSS 2.0 text, following the RSS Board profile. */
export function generateRss(model: FeedModel): string {
  const feed = new Feed({
    title: protectText(model.title),
    description: protectText(model.description),
    link: model.homePageUrl,
    id: model.id,
    language: model.language,
    // D2: never let the library read the clock.
    updated: model.updated,
    generator: "wirefeed",
    // D19: only feedLinks, never `feed`, so the self link is this file's own URL.
    feedLinks: { rss: model.links.rss },
  });
  for (const item of model.items) feed.addItem(toRssItem(item));
  return finishXml(feed.rss2());
}

function toRssItem(item: FeedItem): Item {
  // D14: <author> must be an email address; with a single author who has one, use it,
  // otherwise dc:creator (declared by the library because every item has content).
  const [first, ...rest] = item.authors;
  const useAuthor = first?.email !== undefined && rest.length === 0;
  const creators = useAuthor ? [] : item.authors.map((author) => ({ _text: protectText(author.name) }));
  return {
    title: cdataPlain(item.title),
    link: item.url,
    // A guid equal to the link is a permalink (isPermaLink="true"); any other id is marked false.
    ...(item.id === item.url ? {} : { guid: protectText(item.id) }),
    date: item.updated,
    published: item.published,
    // D26: the summary precedes content:encoded; RSS description is HTML, so escape the text.
    description: escapeHtml(item.summary),
    content: cdataHtml(item.html),
    ...(useAuthor ? { author: [{ name: protectText(first.name), email: first.email }] } : {}),
    // D16: name and term both given; the domain is written raw by the library (D5).
    category: categoriesOf(item).map((category) => ({
      name: protectText(category.name),
      domain: escapeUrlAttribute(category.scheme),
    })),
    // The library's typing wants one object per extension name; an array gives repeated elements.
    extensions: creators.length > 0 ? [{ name: "dc:creator", objects: creators as unknown as Record<string, unknown> }] : [],
  };
}
