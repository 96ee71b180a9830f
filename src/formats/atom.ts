import { type Author as FeedAuthor, Feed } from "feed";
import type { Author, FeedLinks, FeedModel } from "../model/types.ts";
import { writeAtomEntry } from "./feed-items.ts";
import { emptyElement, fillSlots, finishXmlPieces, protectText, slotMarker } from "./feed-workarounds.ts";

const ATOM_ROOT = '<feed xmlns="http://www.w3.org/2005/Atom">';
const ATOM_TYPE = "application/atom+xml";

/** FeedModel → Atom 1.0 text (RFC 4287, with RFC 5005 and WebSub links). */
export function generateAtom(model: FeedModel): string {
  return generateAtomParts(model).join("");
}

/** `generateAtom` as pieces (`finishXmlPieces`): what the build gates and writes. */
export function generateAtomParts(model: FeedModel): string[] {
  const feed = createAtomFeed(model);
  // The library writes the feed's own elements; its entries, the last of them, are written by
  // writeAtomEntry as the library would (issue 7: the library's serialiser cost most of a large
  // feed's time).
  const xml = feed.atom1();
  const end = xml.lastIndexOf(ATOM_END);
  if (!xml.startsWith(ATOM_ROOT, xml.indexOf("<feed")) || end < 0) throw new Error("feed@6 changed its Atom root element; update generateAtom");
  const head = fillSlots(addAtomLanguage(xml.slice(0, end), model.language), [listFeedElements(model)]);
  // Namespaces are declared before the HTML goes in, so text inside CDATA never counts as a prefix.
  return finishXmlPieces(head, model.items, writeAtomEntry, ATOM_END, "feed", model.items.map((item) => item.html));
}

/** The library's `Feed` for `model`: the feed's own elements, `slotMarker(0)` standing for `listFeedElements`, and no entry yet. */
export function createAtomFeed(model: FeedModel): Feed {
  return new Feed({
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
}

/** D20: the library has no xml:lang; the root tag is fixed, so add it there. */
export function addAtomLanguage(xml: string, language: string): string {
  // A function, so that nothing in `language` is read as a replacement pattern (`$'` and the like).
  return xml.replace(ATOM_ROOT, () => `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${language}">`);
}

const ATOM_END = "\n</feed>";

/** What the library cannot write at the feed level: WebSub and RFC 5005 links, `fh:archive` or `fh:complete`. */
export function listFeedElements(model: FeedModel): string[] {
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

function toAtomAuthor(author: Author): FeedAuthor {
  return {
    name: protectText(author.name),
    ...(author.email ? { email: author.email } : {}),
    ...(author.url ? { link: author.url } : {}),
  };
}
