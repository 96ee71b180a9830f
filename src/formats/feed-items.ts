/**
 * The items of the RSS and Atom documents, written here byte for byte as `feed@6` writes them
 * (its item objects, serialised by xml-js with `spaces: 4`), with wirefeed's workarounds applied
 * to the values exactly as rss.ts and atom.ts hand them to the library. The library still writes
 * each document's envelope (root, channel or feed elements); only the items are ours.
 *
 * Why (issue 7): xml-js walks, copies and escapes every element of every item, and on a feed of
 * 10,000 items that was most of the time spent making the RSS and Atom documents. A differential
 * property test (test/unit/feed-items.test.ts) holds these writers to the library's own output
 * for arbitrary items, and the golden files hold the whole documents.
 */
import type { Author, FeedItem, Media } from "../model/types.ts";
import { categoriesOf } from "./categories.ts";
import { cdataPlain, contentMarker, emptyElement, escapeHtml, escapeUrlAttribute, markAttributeText, protectText } from "./feed-workarounds.ts";

// What feed@6 does to values (its src/utils.ts).

/** The library's `sanitize`: every `&` escaped, even one that starts an entity. */
const escapeAmp = (value: string): string => value.replaceAll("&", "&amp;");

/** The library's `sanitizeUrl`: the WHATWG serialisation of the URL, then `escapeAmp`. */
const libraryUrl = (url: string): string => escapeAmp(new URL(url).toString());

// What xml-js (lib/js2xml.js) does to values: text, CDATA and attributes.

/** Text content: a literal `&amp;` is first turned back into `&` (D6), then `&`, `<` and `>` are escaped. */
function xmlJsText(text: string): string {
  return text.replaceAll("&amp;", "&").replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A CDATA section: only the first `]]>` is split (D3; the values handed over already split the rest). */
function xmlJsCdata(text: string): string {
  return `<![CDATA[${text.replace("]]>", "]]]]><![CDATA[>")}]]>`;
}

/** Attributes in their given order, those undefined left out, each with only `"` escaped (D5). */
function xmlJsAttributes(attributes: Record<string, string | number | boolean | undefined>): string {
  let written = "";
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) written += ` ${name}="${String(value).replaceAll('"', "&quot;")}"`;
  }
  return written;
}

/** `{ _text: text }`, optionally with attributes: always a start and an end tag. */
function textElement(indent: string, name: string, text: string, attributes = ""): string {
  return `${indent}<${name}${attributes}>${xmlJsText(text)}</${name}>`;
}

/** A plain string value: an empty one becomes an empty-element tag. */
function valueElement(indent: string, name: string, value: string): string {
  return value === "" ? `${indent}<${name}/>` : textElement(indent, name, value);
}

function cdataElement(indent: string, name: string, text: string, attributes = ""): string {
  return `${indent}<${name}${attributes}>${xmlJsCdata(text)}</${name}>`;
}

/** Indents of the elements of an item: xml-js puts each on its own line, four spaces a level. */
const RSS_ITEM = "\n        ";
const RSS_FIELD = "\n            ";
const ATOM_ENTRY = "\n    ";
const ATOM_FIELD = "\n        ";
const ATOM_SUBFIELD = "\n            ";

/**
 * One `<item>` of the RSS channel, starting with its line break, as rss.ts's item object comes out
 * of the library: the HTML as `contentMarker(index)`, spliced in later like the library's.
 */
export function writeRssItem(item: FeedItem, index: number): string {
  // D14: <author> with a single author who has an email address, dc:creator otherwise.
  const [first, ...rest] = item.authors;
  const useAuthor = first?.email !== undefined && rest.length === 0;
  let xml = `${RSS_ITEM}<item>`;
  const title = cdataPlain(item.title);
  if (title) xml += cdataElement(RSS_FIELD, "title", title);
  if (item.url) xml += textElement(RSS_FIELD, "link", libraryUrl(item.url));
  // A guid equal to the link is a permalink; any other id is marked false.
  const guid = item.id === item.url ? "" : protectText(item.id);
  if (guid) xml += textElement(RSS_FIELD, "guid", guid, xmlJsAttributes({ isPermaLink: false }));
  else if (item.url) xml += textElement(RSS_FIELD, "guid", libraryUrl(item.url), xmlJsAttributes({ isPermaLink: true }));
  xml += textElement(RSS_FIELD, "pubDate", item.published.toUTCString());
  const description = escapeHtml(item.summary);
  if (description) xml += cdataElement(RSS_FIELD, "description", description);
  if (item.fullContent) xml += cdataElement(RSS_FIELD, "content:encoded", contentMarker(index));
  if (useAuthor && first) {
    const name = protectText(first.name);
    if (first.email && name) xml += textElement(RSS_FIELD, "author", `${first.email} (${name})`);
    else if (name) xml += textElement(RSS_FIELD, "author", name);
  }
  for (const category of categoriesOf(item)) {
    xml += textElement(RSS_FIELD, "category", protectText(category.name), xmlJsAttributes({ domain: escapeUrlAttribute(category.scheme) }));
  }
  // D17, D18: one enclosure with its real type and length, never guessed.
  const enclosure = item.enclosure;
  if (enclosure?.type && enclosure.length) {
    xml += `${RSS_FIELD}<enclosure${xmlJsAttributes({ length: enclosure.length, type: enclosure.type, url: libraryUrl(enclosure.url) })}/>`;
  }
  if (!useAuthor) {
    for (const author of item.authors) xml += textElement(RSS_FIELD, "dc:creator", protectText(author.name));
  }
  if (item.image) xml += rssImage(item.image);
  return `${xml}${RSS_ITEM}</item>`;
}

function rssImage({ url, type, length }: Media): string {
  const content = { url: escapeUrlAttribute(url), type: type || undefined, fileSize: length ? String(length) : undefined, medium: "image" };
  return `${RSS_FIELD}<media:content${xmlJsAttributes(content)}/>${RSS_FIELD}<media:thumbnail${xmlJsAttributes({ url: escapeUrlAttribute(url) })}/>`;
}

/**
 * One `<entry>` of the Atom feed, starting with its line break, as atom.ts's entry object comes
 * out of the library, with the enclosure links (D17) where atom.ts's slot puts them.
 */
export function writeAtomEntry(item: FeedItem, index: number): string {
  // D7: the library declares titles and summaries type="html", so plain text is HTML-escaped.
  let xml = `${ATOM_ENTRY}<entry>${cdataElement(ATOM_FIELD, "title", escapeHtml(item.title), ' type="html"')}`;
  xml += valueElement(ATOM_FIELD, "id", libraryUrl(item.id));
  xml += `${ATOM_FIELD}<link${xmlJsAttributes({ href: libraryUrl(item.url) })}/>`;
  xml += valueElement(ATOM_FIELD, "updated", item.updated.toISOString());
  const summary = escapeHtml(item.summary);
  if (summary) xml += cdataElement(ATOM_FIELD, "summary", summary, ' type="html"');
  if (item.fullContent) xml += cdataElement(ATOM_FIELD, "content", contentMarker(index), ' type="html"');
  for (const author of item.authors) xml += atomAuthor(author);
  // D16: term is required by RFC 4287; the label is free text the library leaves `<` raw in (D5).
  for (const category of categoriesOf(item)) {
    const attributes = { label: escapeAmp(markAttributeText(category.name)), scheme: libraryUrl(category.scheme), term: escapeAmp(category.term) };
    xml += `${ATOM_FIELD}<category${xmlJsAttributes(attributes)}/>`;
  }
  xml += valueElement(ATOM_FIELD, "published", item.published.toISOString());
  // Only media whose type is known: a link without one is what feed@6 guessed (D17), and
  // `wirefeed check` asks for it. A remote image whose URL names no type is in RSS and JSON only.
  for (const media of [item.image, item.enclosure]) {
    if (media?.type) xml += `${ATOM_FIELD}${emptyElement("link", { rel: "enclosure", type: media.type, length: media.length, href: media.url })}`;
  }
  return `${xml}${ATOM_ENTRY}</entry>`;
}

function atomAuthor(author: Author): string {
  let xml = `${ATOM_FIELD}<author>${valueElement(ATOM_SUBFIELD, "name", protectText(author.name))}`;
  if (author.email) xml += valueElement(ATOM_SUBFIELD, "email", author.email);
  if (author.url) xml += valueElement(ATOM_SUBFIELD, "uri", libraryUrl(author.url));
  return `${xml}${ATOM_FIELD}</author>`;
}
