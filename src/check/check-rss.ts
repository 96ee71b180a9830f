import { EMAIL } from "../fields.ts";
import {
  checkDate,
  checkEnclosureType,
  checkHtmlUrls,
  checkHttpUrl,
  checkLanguage,
  checkSelfLink,
  createHeldFindings,
  createIdRegistry,
  reportError,
  reportWarning,
} from "./check-common.ts";
import { isHttpUrl } from "./inspect-html.ts";
import { ATOM_NS, CONTENT_NS, DC_NS, type XmlElement, childOf, childText, childrenOf } from "./parse-xml.ts";
import type { FeedCheckContext, FeedItemSummary, XmlFeedCheck } from "./types.ts";

/** `ana@example.com` or `ana@example.com (Ana Pérez)`: RSS 2.0 wants an address, not a name. */
const RSS_EMAIL = new RegExp(`^${EMAIL.source.slice(1, -1)}(?:\\s+\\([^()]*\\))?$`);

/**
 * RSS 2.0 with the RSS Board's Best Practices Profile (feed-standards §2.2), for one document read
 * as a stream: each `<item>` of the first `<channel>` is checked as it closes.
 */
export function createRssCheck(context: FeedCheckContext): XmlFeedCheck {
  const held = createHeldFindings(context);
  const registerId = createIdRegistry(held.context, "guid");
  const items: FeedItemSummary[] = [];
  return {
    isItem: (element) => element.uri === "" && element.local === "item" && isFirstChannel(element.parent),
    checkItem: (element) => {
      items.push(checkItem(element, items.length, held.context, registerId));
    },
    finish: (root) => {
      const selfLink = checkChannel(root, context);
      held.release();
      return { format: "rss", file: context.file, selfLink, items };
    },
  };
}

/** The `<channel>` whose items are checked: the root's first. */
function isFirstChannel(element: XmlElement | undefined): boolean {
  const root = element?.parent;
  return element !== undefined && root !== undefined && root.parent === undefined && childOf(root, "", "channel") === element;
}

/** The rules of the root and the channel. Returns the channel's self link. */
function checkChannel(root: XmlElement, context: FeedCheckContext): string | undefined {
  if (root.attributes.version !== "2.0") {
    reportError(context, "rss-version", { line: root.line, field: "rss@version" }, `expected <rss version="2.0">, got ${root.attributes.version === undefined ? "no version" : JSON.stringify(root.attributes.version)}`);
  }
  const channels = childrenOf(root, "", "channel");
  if (channels.length !== 1) {
    reportError(context, "rss-channel", { line: root.line, field: "channel" }, `expected exactly one <channel>, found ${channels.length}`);
  }
  const channel = channels[0];
  if (!channel) return undefined;

  for (const name of ["title", "link", "description"]) {
    const element = childOf(channel, "", name);
    if (element === undefined || element.text.trim() === "") {
      reportError(context, "rss-required", { line: element?.line ?? channel.line, field: `channel/${name}` }, `<channel> needs a non-empty <${name}> (RSS 2.0 required element)`);
    }
  }
  const link = childOf(channel, "", "link");
  if (link && link.text.trim() !== "") checkHttpUrl(context, link.text.trim(), { line: link.line, field: "channel/link" }, "<link>");

  const language = childOf(channel, "", "language");
  checkLanguage(context, language?.text.trim(), { line: language?.line ?? channel.line, field: "channel/language" }, "<language>");

  const selfLinks = childrenOf(channel, ATOM_NS, "link").filter((element) => element.attributes.rel === "self");
  const self = selfLinks[0];
  checkSelfLink(context, self?.attributes.href, { line: self?.line ?? channel.line, field: "channel/atom:link[@rel=self]" }, 'atom:link rel="self"');
  if (self && self.attributes.type !== undefined && self.attributes.type !== "application/rss+xml") {
    reportWarning(context, "self-link-type", { line: self.line, field: "channel/atom:link@type" }, `the RSS self link should have type="application/rss+xml", got ${JSON.stringify(self.attributes.type)}`);
  }

  for (const name of ["lastBuildDate", "pubDate"]) {
    const element = childOf(channel, "", name);
    if (element) checkDate(context, element.text.trim(), "rfc822", { line: element.line, field: `channel/${name}` });
  }
  for (const name of ["managingEditor", "webMaster"]) {
    const element = childOf(channel, "", name);
    if (element && !RSS_EMAIL.test(element.text.trim())) {
      reportError(context, "rss-author-invalid", { line: element.line, field: `channel/${name}` }, `<${name}> must be an email address, optionally with a name: editor@example.com (Ana), got ${JSON.stringify(element.text.trim())}`);
    }
  }
  const ttl = childOf(channel, "", "ttl");
  if (ttl && !/^\d+$/.test(ttl.text.trim())) {
    reportError(context, "rss-ttl-invalid", { line: ttl.line, field: "channel/ttl" }, `<ttl> must be a whole number of minutes, got ${JSON.stringify(ttl.text.trim())}`);
  }

  return self?.attributes.href;
}

function checkItem(
  item: XmlElement,
  index: number,
  context: FeedCheckContext,
  registerId: ReturnType<typeof createIdRegistry>,
): FeedItemSummary {
  const guid = childOf(item, "", "guid");
  const title = childText(item, "", "title");
  const link = childText(item, "", "link");
  const label = guid?.text.trim() || title || link || `item ${index + 1}`;
  const where = (element: XmlElement | undefined, field: string) => ({ line: element?.line ?? item.line, item: label, field });

  const description = childOf(item, "", "description");
  if (!title && !description?.text.trim()) {
    reportError(context, "rss-item-empty", where(item, "item"), "an item needs a <title> or a <description>");
  }

  if (!guid) {
    reportWarning(context, "guid-missing", where(item, "item/guid"), "no <guid>: readers fall back to the link or title and show edited items again as new");
  } else {
    const value = guid.text.trim();
    if (value === "") reportError(context, "id-invalid", where(guid, "item/guid"), "<guid> is empty; expected a permanent unique id such as tag:example.com,2025:my-post");
    else {
      registerId(value, where(guid, "item/guid"));
      const permalink = guid.attributes.isPermaLink;
      if (permalink !== undefined && permalink !== "true" && permalink !== "false") {
        reportError(context, "rss-guid-permalink", where(guid, "item/guid@isPermaLink"), `isPermaLink must be "true" or "false", got ${JSON.stringify(permalink)}`);
      } else if (permalink !== "false" && !isHttpUrl(value)) {
        reportError(
          context,
          "rss-guid-permalink",
          where(guid, "item/guid@isPermaLink"),
          `guid ${JSON.stringify(value)} is not a URL, so it needs isPermaLink="false"${permalink === undefined ? " (the default is true)" : ""}; readers open permalink guids as links`,
        );
      }
    }
  }

  if (link !== undefined) checkHttpUrl(context, link, where(childOf(item, "", "link"), "item/link"), "<link>");

  const pubDate = childOf(item, "", "pubDate");
  const published = pubDate ? checkDate(context, pubDate.text.trim(), "rfc822", where(pubDate, "item/pubDate")) : undefined;

  const authors = childrenOf(item, "", "author");
  for (const author of authors) {
    if (!RSS_EMAIL.test(author.text.trim())) {
      reportError(
        context,
        "rss-author-invalid",
        where(author, "item/author"),
        `<author> must be an email address, optionally with a name: ana@example.com (Ana), got ${JSON.stringify(author.text.trim())}; use dc:creator for a name alone`,
      );
    }
  }
  if (authors.length > 1) {
    reportError(context, "rss-author-duplicate", where(authors[1], "item/author"), `an item may have one <author>, found ${authors.length}; list the others in dc:creator`);
  }
  if (authors.length > 0 && childOf(item, DC_NS, "creator")) {
    reportWarning(context, "rss-author-and-creator", where(authors[0], "item/author"), "both <author> and <dc:creator>: readers show the author twice; keep one");
  }

  const enclosures = childrenOf(item, "", "enclosure");
  if (enclosures.length > 1) {
    reportWarning(context, "rss-enclosure-duplicate", where(enclosures[1], "item/enclosure"), `an item should have at most one <enclosure> (RSS Profile), found ${enclosures.length}; readers keep only one`);
  }
  for (const enclosure of enclosures) {
    const { url, length, type } = enclosure.attributes;
    checkHttpUrl(context, url ?? "", where(enclosure, "item/enclosure@url"), "<enclosure> url");
    if (length === undefined || !/^\d+$/.test(length)) {
      reportError(context, "enclosure-invalid", where(enclosure, "item/enclosure@length"), `<enclosure> length must be the size in bytes, got ${length === undefined ? "nothing" : JSON.stringify(length)}`);
    }
    checkEnclosureType(context, type, url, where(enclosure, "item/enclosure@type"));
  }

  for (const category of childrenOf(item, "", "category")) {
    const text = category.text.trim();
    if (text === "" || text === "undefined") {
      reportError(context, "category-empty", where(category, "item/category"), `<category> must name the category, got ${JSON.stringify(text)}`);
    }
  }

  const encoded = childOf(item, CONTENT_NS, "encoded");
  checkHtmlUrls(context, description?.text, where(description, "item/description"), "<description>");
  checkHtmlUrls(context, encoded?.text, where(encoded, "item/content:encoded"), "<content:encoded>");
  if (encoded && (!description || item.children.indexOf(description) > item.children.indexOf(encoded))) {
    reportWarning(context, "rss-description-order", where(encoded, "item/content:encoded"), "put a <description> (the summary) before <content:encoded>; some readers show only the first");
  }

  return {
    id: guid?.text.trim() || undefined,
    title,
    url: link,
    published,
    updated: undefined,
    line: item.line,
  };
}
