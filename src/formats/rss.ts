import { type Extension, Feed, type Item } from "feed";
import type { FeedItem, FeedLinks, FeedModel } from "../model/types.ts";
import { categoriesOf } from "./categories.ts";
import {
  cdataPlain,
  contentMarker,
  declareNamespaces,
  escapeHtml,
  escapeUrlAttribute,
  finishXmlParts,
  protectText,
} from "./feed-workarounds.ts";

const RSS_TYPE = "application/rss+xml";

/** FeedModel → RSS 2.0 text, following the RSS Board profile (plus RFC 5005 Appendix B, WebSub, Media RSS). */
export function generateRss(model: FeedModel): string {
  return generateRssParts(model).join("");
}

/** `generateRss` as pieces (`finishXmlParts`): what the build gates and writes. */
export function generateRssParts(model: FeedModel): string[] {
  const feed = new Feed({
    title: protectText(model.title),
    description: protectText(model.description),
    link: model.homePageUrl,
    id: model.id,
    language: model.language,
    // D2: never let the library read the clock.
    updated: model.updated,
    generator: "wirefeed",
    // D19: only feedLinks, never `feed`, so the self link is this file's own URL. Setting it also
    // places the channel's atom:link element before the items; the extension below fills it.
    feedLinks: { rss: model.links.rss },
  });
  for (const extension of channelExtensions(model)) feed.addExtension(extension);
  model.items.forEach((item, index) => feed.addItem(toRssItem(item, index)));
  // Namespaces are declared before the HTML goes in, so text inside CDATA never counts as a prefix.
  return finishXmlParts(declareNamespaces(feed.rss2(), "rss"), model.items.map((item) => item.html));
}

function atomLink(href: string, rel: string, type?: string): { _attributes: Record<string, string> } {
  // D5: extension attributes are written raw, so `&` is escaped here.
  return { _attributes: { href: escapeUrlAttribute(href), rel, ...(type ? { type } : {}) } };
}

function channelExtensions(model: FeedModel): Extension[] {
  const links = [atomLink(model.links.rss, "self", RSS_TYPE), ...model.hubs.map((hub) => atomLink(hub, "hub"))];
  const archiveLink = (target: FeedLinks | undefined, rel: string) => (target ? [atomLink(target.rss, rel, RSS_TYPE)] : []);
  links.push(
    ...archiveLink(model.archive?.current, "current"),
    ...archiveLink(model.archive?.prevArchive, "prev-archive"),
    ...archiveLink(model.archive?.nextArchive, "next-archive"),
  );
  const extensions: Extension[] = [{ name: "atom:link", objects: links as unknown as Record<string, unknown> }];
  if (model.archive?.isArchive) extensions.push({ name: "fh:archive", objects: {} });
  else if (model.complete) extensions.push({ name: "fh:complete", objects: {} });
  return extensions;
}

function toRssItem(item: FeedItem, index: number): Item {
  // D14: <author> must be an email address; with a single author who has one, use it,
  // otherwise dc:creator.
  const [first, ...rest] = item.authors;
  const useAuthor = first?.email !== undefined && rest.length === 0;
  const extensions: Extension[] = [];
  if (!useAuthor) {
    const creators = item.authors.map((author) => ({ _text: protectText(author.name) }));
    // The library's typing wants one object per extension name; an array gives repeated elements.
    extensions.push({ name: "dc:creator", objects: creators as unknown as Record<string, unknown> });
  }
  if (item.image) {
    const { url, type, length } = item.image;
    const attributes = { url: escapeUrlAttribute(url), ...(type ? { type } : {}), ...(length ? { fileSize: String(length) } : {}), medium: "image" };
    extensions.push({ name: "media:content", objects: { _attributes: attributes } });
    extensions.push({ name: "media:thumbnail", objects: { _attributes: { url: escapeUrlAttribute(url) } } });
  }
  const enclosure = item.enclosure;
  return {
    title: cdataPlain(item.title),
    link: item.url,
    // A guid equal to the link is a permalink (isPermaLink="true"); any other id is marked false.
    ...(item.id === item.url ? {} : { guid: protectText(item.id) }),
    date: item.updated,
    published: item.published,
    // D26: the summary precedes content:encoded; RSS description is HTML, so escape the text.
    description: escapeHtml(item.summary),
    ...(item.fullContent ? { content: contentMarker(index) } : {}),
    ...(useAuthor ? { author: [{ name: protectText(first.name), email: first.email }] } : {}),
    // D16: name and term both given; the domain is written raw by the library (D5).
    category: categoriesOf(item).map((category) => ({
      name: protectText(category.name),
      domain: escapeUrlAttribute(category.scheme),
    })),
    // D17, D18: one enclosure, in object form with its real type and length, never guessed.
    ...(enclosure?.type && enclosure.length ? { enclosure: { url: enclosure.url, type: enclosure.type, length: enclosure.length } } : {}),
    extensions,
  };
}
