import { type Extension, Feed } from "feed";
import type { FeedLinks, FeedModel } from "../model/types.ts";
import { writeRssItem } from "./feed-items.ts";
import { escapeUrlAttribute, finishXmlPieces, protectText } from "./feed-workarounds.ts";

const RSS_TYPE = "application/rss+xml";

/** FeedModel → RSS 2.0 text, following the RSS Board profile (plus RFC 5005 Appendix B, WebSub, Media RSS). */
export function generateRss(model: FeedModel): string {
  return generateRssParts(model).join("");
}

/** `generateRss` as pieces (`finishXmlPieces`): what the build gates and writes. */
export function generateRssParts(model: FeedModel): string[] {
  const feed = createRssChannel(model);
  // The library writes the channel around one stand-in item, so that it declares the namespaces
  // items with content need (D14) as it would for the real ones; writeRssItem writes those in its
  // place, as the library would (issue 7: the library's serialiser cost most of a large feed's time).
  if (model.items.length > 0) {
    const withContent = model.items.some((item) => item.fullContent);
    feed.addItem({ title: "stand-in", link: model.homePageUrl, date: model.updated, ...(withContent ? { content: "stand-in" } : {}) });
  }
  const channel = feed.rss2();
  const [head, tail] = model.items.length > 0 ? cutAtStandIn(channel) : [channel, ""];
  // Namespaces are declared before the HTML goes in, so text inside CDATA never counts as a prefix.
  return finishXmlPieces(head, model.items, writeRssItem, tail, "rss", model.items.map((item) => item.html));
}

/** The library's `Feed` for `model`'s channel: every channel element, and no item yet. */
export function createRssChannel(model: FeedModel): Feed {
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
  return feed;
}

const ITEM_START = "\n        <item>";
const ITEM_END = "</item>";

/** The channel before and after its one stand-in item (the only `<item>` tag: channel text escapes `<`): where the items go. */
function cutAtStandIn(channel: string): [string, string] {
  const start = channel.indexOf(ITEM_START);
  const end = channel.indexOf(ITEM_END, start);
  if (start < 0 || end < 0 || channel.includes(ITEM_START, start + 1)) throw new Error("feed@6 changed how it writes RSS items; update generateRss");
  return [channel.slice(0, start), channel.slice(end + ITEM_END.length)];
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
