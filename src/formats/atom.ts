import { type Author as FeedAuthor, Feed, type Item } from "feed";
import type { Author, FeedItem, FeedLinks, FeedModel } from "../model/types.ts";
import { categoriesOf } from "./categories.ts";
import {
  contentMarker,
  declareNamespaces,
  emptyElement,
  escapeHtml,
  fillSlots,
  finishXmlParts,
  markAttributeText,
  protectText,
  slotMarker,
} from "./feed-workarounds.ts";

const ATOM_ROOT = '<feed xmlns="http://www.w3.org/2005/Atom">';
const ATOM_TYPE = "application/atom+xml";

/** FeedModel → Atom 1.0 text (RFC 4287, with RFC 5005 and WebSub links). */
export function generateAtom(model: FeedModel): string {
  return generateAtomParts(model).join("");
}

/** `generateAtom` as pieces (`finishXmlParts`): what the build gates and writes. */
export function generateAtomParts(model: FeedModel): string[] {
  const slots: string[][] = [feedLevelElements(model)];
  const feed = new Feed({
    // The feed id is a tag: URI (D8, D9: already canonical, so the library's URL pass keeps it).
    id: model.id,
    title: protectText(model.title),
    description: protectText(model.description),
    link: model.homePageUrl,
    updated: model.updated,
    generator: "wirefeed",
    feedLinks: { atom: model.links.atom },
    ...(model.authors[0] ? { author: toAtomAuthor(model.authors[0]) } : {}),
    copyright: slotMarker(0),
  });
  model.items.forEach((item, index) => {
    slots.push(entryLinks(item));
    feed.addItem(toAtomItem(item, slots.length - 1, index));
  });
  const xml = feed.atom1();
  if (!xml.includes(ATOM_ROOT)) throw new Error("feed@6 changed its Atom root element; update generateAtom");
  // D20: the library has no xml:lang; the root tag is fixed, so add it there.
  const withLang = xml.replace(ATOM_ROOT, `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${model.language}">`);
  // Namespaces are declared before the HTML goes in, so text inside CDATA never counts as a prefix.
  return finishXmlParts(declareNamespaces(fillSlots(withLang, slots), "feed"), model.items.map((item) => item.html));
}

function feedLevelElements(model: FeedModel): string[] {
  const link = (target: FeedLinks | undefined, rel: string) =>
    target ? [emptyElement("link", { rel, type: ATOM_TYPE, href: target.atom })] : [];
  const elements = [
    ...model.hubs.map((hub) => emptyElement("link", { rel: "hub", href: hub })),
    ...link(model.archive?.current, "current"),
    ...link(model.archive?.prevArchive, "prev-archive"),
    ...link(model.archive?.nextArchive, "next-archive"),
  ];
  if (model.archive?.isArchive) elements.push("<fh:archive/>");
  else if (model.complete) elements.push("<fh:complete/>");
  return elements;
}

/** D17: enclosure links written by us with the real type and length, never guessed. */
function entryLinks(item: FeedItem): string[] {
  return [item.image, item.enclosure]
    .filter((media) => media !== undefined)
    .map((media) => emptyElement("link", { rel: "enclosure", type: media.type, length: media.length, href: media.url }));
}

function toAtomAuthor(author: Author): FeedAuthor {
  return {
    name: protectText(author.name),
    ...(author.email ? { email: author.email } : {}),
    ...(author.url ? { link: author.url } : {}),
  };
}

function toAtomItem(item: FeedItem, slot: number, index: number): Item {
  return {
    // D7: the library declares titles type="html", so plain text must be HTML-escaped.
    title: escapeHtml(item.title),
    id: item.id,
    link: item.url,
    date: item.updated,
    published: item.published,
    description: escapeHtml(item.summary),
    ...(item.fullContent ? { content: contentMarker(index) } : {}),
    author: item.authors.map(toAtomAuthor),
    // D16: term is required by RFC 4287; label is free text the library leaves `<` raw in (D5).
    category: categoriesOf(item).map((category) => ({
      name: markAttributeText(category.name),
      term: category.term,
      scheme: category.scheme,
    })),
    copyright: slotMarker(slot),
  };
}
