/**
 * The RSS and Atom documents as wirefeed wrote them before issue 7 took the items away from
 * `feed@6`: every item handed to the library and serialised by it. The reference that
 * src/formats/feed-items.ts is held to, byte for byte (test/unit/feed-items.test.ts).
 */
import type { Extension, Item } from "feed";
import { addAtomLanguage, createAtomFeed, listFeedElements } from "../../src/formats/atom.ts";
import { categoriesOf } from "../../src/formats/categories.ts";
import {
  cdataPlain,
  contentMarker,
  declareNamespaces,
  emptyElement,
  escapeHtml,
  escapeUrlAttribute,
  fillSlots,
  finishXmlParts,
  markAttributeText,
  protectText,
  slotMarker,
} from "../../src/formats/feed-workarounds.ts";
import { createRssChannel } from "../../src/formats/rss.ts";
import type { Author, FeedItem, FeedModel } from "../../src/model/types.ts";

export function generateLibraryRss(model: FeedModel): string {
  const feed = createRssChannel(model);
  model.items.forEach((item, index) => feed.addItem(toRssItem(item, index)));
  return finishXmlParts(declareNamespaces(feed.rss2(), "rss"), model.items.map((item) => item.html)).join("");
}

export function generateLibraryAtom(model: FeedModel): string {
  const slots: string[][] = [listFeedElements(model)];
  const feed = createAtomFeed(model);
  model.items.forEach((item, index) => {
    slots.push(entryLinks(item));
    feed.addItem(toAtomItem(item, slots.length - 1, index));
  });
  const xml = fillSlots(addAtomLanguage(feed.atom1(), model.language), slots);
  return finishXmlParts(declareNamespaces(xml, "feed"), model.items.map((item) => item.html)).join("");
}

function toRssItem(item: FeedItem, index: number): Item {
  const [first, ...rest] = item.authors;
  const useAuthor = first?.email !== undefined && rest.length === 0;
  const extensions: Extension[] = [];
  if (!useAuthor) {
    const creators = item.authors.map((author) => ({ _text: protectText(author.name) }));
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
    ...(item.id === item.url ? {} : { guid: protectText(item.id) }),
    date: item.updated,
    published: item.published,
    description: escapeHtml(item.summary),
    ...(item.fullContent ? { content: contentMarker(index) } : {}),
    ...(useAuthor ? { author: [{ name: protectText(first.name), email: first.email }] } : {}),
    category: categoriesOf(item).map((category) => ({ name: protectText(category.name), domain: escapeUrlAttribute(category.scheme) })),
    ...(enclosure?.type && enclosure.length ? { enclosure: { url: enclosure.url, type: enclosure.type, length: enclosure.length } } : {}),
    extensions,
  };
}

/** The enclosure links of atom.ts's slot: media whose type is known (a remote image's URL may name none). */
function entryLinks(item: FeedItem): string[] {
  return [item.image, item.enclosure]
    .filter((media): media is NonNullable<typeof media> => Boolean(media?.type))
    .map((media) => emptyElement("link", { rel: "enclosure", type: media.type, length: media.length, href: media.url }));
}

function toAtomAuthor(author: Author) {
  return { name: protectText(author.name), ...(author.email ? { email: author.email } : {}), ...(author.url ? { link: author.url } : {}) };
}

function toAtomItem(item: FeedItem, slot: number, index: number): Item {
  return {
    title: escapeHtml(item.title),
    id: item.id,
    link: item.url,
    date: item.updated,
    published: item.published,
    description: escapeHtml(item.summary),
    ...(item.fullContent ? { content: contentMarker(index) } : {}),
    author: item.authors.map(toAtomAuthor),
    category: categoriesOf(item).map((category) => ({ name: markAttributeText(category.name), term: category.term, scheme: category.scheme })),
    copyright: slotMarker(slot),
  };
}
