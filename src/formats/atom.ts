import { type Author as FeedAuthor, Feed, type Item } from "feed";
import type { Author, FeedItem, FeedModel } from "../model/types.ts";
import { categoriesOf } from "./categories.ts";
import { cdataHtml, escapeHtml, finishXml, markAttributeText, protectText } from "./feed-workarounds.ts";

const ATOM_ROOT = '<feed xmlns="http://www.w3.org/2005/Atom">';

/** FeedModel → Atom 1.0 text (RFC 4287). */
export function generateAtom(model: FeedModel): string {
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
  });
  for (const item of model.items) feed.addItem(toAtomItem(item));
  // D20: the library has no xml:lang; the root tag is fixed, so add it there.
  const xml = feed.atom1();
  if (!xml.includes(ATOM_ROOT)) throw new Error("feed@6 changed its Atom root element; update generateAtom");
  return finishXml(xml.replace(ATOM_ROOT, `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${model.language}">`));
}

function toAtomAuthor(author: Author): FeedAuthor {
  return {
    name: protectText(author.name),
    ...(author.email ? { email: author.email } : {}),
    ...(author.url ? { link: author.url } : {}),
  };
}

function toAtomItem(item: FeedItem): Item {
  return {
    // D7: the library declares titles type="html", so plain text must be HTML-escaped.
    title: escapeHtml(item.title),
    id: item.id,
    link: item.url,
    date: item.updated,
    published: item.published,
    description: escapeHtml(item.summary),
    content: cdataHtml(item.html),
    author: item.authors.map(toAtomAuthor),
    // D16: term is required by RFC 4287; label is free text the library leaves `<` raw in (D5).
    category: categoriesOf(item).map((category) => ({
      name: markAttributeText(category.name),
      term: category.term,
      scheme: category.scheme,
    })),
  };
}
