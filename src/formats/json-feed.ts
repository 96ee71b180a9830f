import type { Author, FeedModel } from "../model/types.ts";
import { categoriesOf } from "./categories.ts";

export const JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1";

/**
 * FeedModel → JSON Feed 1.1 text. Written here rather than by `feed@6`, which only knows
 * version 1 (D1). Keys are built in a fixed order so the bytes are stable.
 */
export function generateJsonFeed(model: FeedModel): string {
  const document = {
    version: JSON_FEED_VERSION,
    title: model.title,
    home_page_url: model.homePageUrl,
    feed_url: model.links.json,
    description: model.description,
    language: model.language,
    authors: model.authors.map(toJsonAuthor),
    items: model.items.map((item) => ({
      id: item.id,
      url: item.url,
      title: item.title,
      summary: item.summary,
      content_html: item.html,
      ...(item.image ? { image: item.image } : {}),
      date_published: item.published.toISOString(),
      date_modified: item.updated.toISOString(),
      authors: item.authors.map(toJsonAuthor),
      tags: categoriesOf(item).map((category) => category.name),
      ...(item.lang && item.lang !== model.language ? { language: item.lang } : {}),
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** JSON Feed authors carry name, url and avatar; an email has no place there. */
function toJsonAuthor(author: Author): { name: string; url?: string } {
  return author.url ? { name: author.name, url: author.url } : { name: author.name };
}
