import type { Author, FeedItem, FeedModel, LazyDocument } from "../model/types.ts";
import { categoriesOf } from "./categories.ts";

export const JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1";

/**
 * FeedModel → JSON Feed 1.1 text. Written here rather than by `feed@6`, which only knows
 * version 1 (D1). Keys are built in a fixed order so the bytes are stable.
 */
export function generateJsonFeed(model: FeedModel): string {
  return generateJsonFeedParts(model).join("");
}

/** A noncharacter: no input holds one (they are stripped), and JSON.stringify writes it as it is. */
const CONTENT = "\uFDD2";

/**
 * `generateJsonFeed` as pieces, so that a feed of 10,000 full items is never one string of 100 MB
 * or more (issue 7): the document with each item's `content_html` as a marker, cut at the markers,
 * and between the cuts each item's HTML as JSON.stringify writes a string. Pieces alternate:
 * document text, string literal, document text, …, document text.
 */
export function generateJsonFeedParts(model: FeedModel): string[] {
  const { texts, literal } = generateJsonFeedPieces(model);
  return texts.flatMap((text, index) => (index === 0 ? [text] : [literal(index - 1), text]));
}

/**
 * `generateJsonFeedParts` with each string literal made only when asked for (`literal(n)`, the
 * literal between texts[n] and texts[n + 1]), so that a build can encode each one and let it go:
 * the literals of a large feed, held at once, were as large as all its HTML again (issue 7).
 */
export function generateJsonFeedPieces(model: FeedModel): LazyDocument {
  const document = {
    version: JSON_FEED_VERSION,
    title: model.title,
    home_page_url: model.homePageUrl,
    feed_url: model.links.json,
    description: model.description,
    // JSON Feed pages backwards in time: next_url is the next older document (RFC 5005's prev-archive).
    ...(model.archive?.prevArchive ? { next_url: model.archive.prevArchive.json } : {}),
    language: model.language,
    authors: model.authors.map(toJsonAuthor),
    ...(model.hubs.length > 0 ? { hubs: model.hubs.map((url) => ({ type: "WebSub", url })) } : {}),
  };
  const texts = model.items.length === 0 ? [`${JSON.stringify({ ...document, items: [] }, null, 2)}\n`] : itemTexts(document, model);
  const withContent = model.items.filter((item) => item.fullContent);
  if (texts.length !== withContent.length + 1) throw new Error("a JSON Feed content marker is missing or repeated");
  return { texts, literal: (index) => JSON.stringify((withContent[index] as FeedItem).html) };
}

/** Stands for the items in the document's text, which is made without them. */
const ITEMS = "\uFDD4";

/**
 * The text of `JSON.stringify({ ...document, items }, null, 2)` and a newline, cut at each
 * item's `content_html` marker, made an item at a time (issue 7: a feed of 50,000 items made one
 * string of 60 million characters, whose pieces held all of it until they were written). An item
 * sits two levels deep, so its own text is indented by four more spaces after each line break
 * (JSON text has no line break inside a string); items are joined as the array's elements are.
 */
function itemTexts(document: object, model: FeedModel): string[] {
  const [before, after] = JSON.stringify({ ...document, items: [ITEMS] }, null, 2).split(`"${ITEMS}"`) as [string, string];
  const texts: string[] = [];
  let text = before;
  model.items.forEach((item, index) => {
    const [start, ...rest] = JSON.stringify(toJsonItem({ ...item, html: CONTENT }, model.language), null, 2)
      .replaceAll("\n", "\n    ")
      .split(`"${CONTENT}"`);
    text += (index === 0 ? "" : ",\n    ") + start;
    for (const piece of rest) {
      texts.push(text);
      text = piece;
    }
  });
  texts.push(`${text}${after}\n`);
  return texts;
}

function toJsonItem(item: FeedItem, feedLanguage: string) {
  const enclosure = item.enclosure;
  return {
    id: item.id,
    url: item.url,
    title: item.title,
    summary: item.summary,
    ...(item.fullContent ? { content_html: item.html } : { content_text: item.summary }),
    ...(item.image ? { image: item.image.url } : {}),
    date_published: item.published.toISOString(),
    date_modified: item.updated.toISOString(),
    authors: item.authors.map(toJsonAuthor),
    tags: categoriesOf(item).map((category) => category.name),
    ...(item.lang && item.lang !== feedLanguage ? { language: item.lang } : {}),
    ...(enclosure?.type
      ? { attachments: [{ url: enclosure.url, mime_type: enclosure.type, ...(enclosure.length ? { size_in_bytes: enclosure.length } : {}) }] }
      : {}),
  };
}

/** JSON Feed authors carry name, url and avatar; an email has no place there. */
function toJsonAuthor(author: Author): { name: string; url?: string } {
  return author.url ? { name: author.name, url: author.url } : { name: author.name };
}
