import type { FeedFormat, FeedItemSummary, FeedSummary, Finding } from "./types.ts";

/**
 * The rules that span formats (feed-standards §2.8), for one RSS, one Atom and one JSON Feed
 * of the same site: the same items with the same ids, dates and links, and distinct self links.
 */
export function checkCrossFormat(feeds: Record<FeedFormat, FeedSummary>): Finding[] {
  const findings: Finding[] = [];
  const all = [feeds.rss, feeds.atom, feeds.json];
  const name = (feed: FeedSummary) => feed.file.split("/").pop() ?? feed.file;
  const report = (severity: Finding["severity"], code: string, feed: FeedSummary, item: FeedItemSummary | undefined, message: string) => {
    findings.push({
      severity,
      code,
      file: feed.file,
      ...(item?.line === undefined ? {} : { line: item.line }),
      ...(item ? { item: item.id ?? item.title ?? "" } : {}),
      message,
    });
  };

  // The ids of each feed, found once: looked up for every item of the others (a search of the
  // other feed's items for each took time that grew with the square of the feed).
  const idsOf = new Map(all.map((feed) => [feed, new Set(feed.items.map((item) => item.id))]));
  for (const feed of all) {
    const missingFrom = (item: FeedItemSummary) => all.filter((other) => other !== feed && !idsOf.get(other)?.has(item.id)).map(name);
    for (const item of feed.items) {
      if (item.id === undefined) continue;
      const missing = missingFrom(item);
      if (missing.length > 0) {
        report("error", "cross-item-missing", feed, item, `this item is not in ${missing.join(" or ")}: every format must carry the same items with the same ids`);
      }
    }
  }

  const byId = (feed: FeedSummary) => new Map(feed.items.filter((item) => item.id !== undefined).map((item) => [item.id as string, item]));
  const atomItems = byId(feeds.atom);
  const jsonItems = byId(feeds.json);
  const seconds = (time: number | undefined) => (time === undefined ? undefined : Math.floor(time / 1000));
  const differ = (a: number | undefined, b: number | undefined) => a !== undefined && b !== undefined && seconds(a) !== seconds(b);
  const iso = (time: number | undefined) => (time === undefined ? "nothing" : new Date(time).toISOString());
  for (const item of feeds.rss.items) {
    const atom = item.id === undefined ? undefined : atomItems.get(item.id);
    const json = item.id === undefined ? undefined : jsonItems.get(item.id);
    if (atom && differ(item.published, atom.published)) {
      report("error", "cross-item-date", feeds.atom, atom, `published ${iso(atom.published)} here but pubDate ${iso(item.published)} in ${name(feeds.rss)}`);
    }
    if (json && differ(item.published, json.published)) {
      report("error", "cross-item-date", feeds.json, json, `date_published ${iso(json.published)} here but pubDate ${iso(item.published)} in ${name(feeds.rss)}`);
    }
    for (const [other, otherItem] of [[feeds.atom, atom], [feeds.json, json]] as const) {
      if (otherItem && item.title !== undefined && otherItem.title !== undefined && item.title.replace(/\s+/g, " ").trim() !== otherItem.title) {
        report("warning", "cross-item-title", other, otherItem, `title ${JSON.stringify(otherItem.title)} here but ${JSON.stringify(item.title)} in ${name(feeds.rss)}`);
      }
      if (otherItem && item.url !== undefined && otherItem.url !== undefined && item.url !== otherItem.url) {
        report("warning", "cross-item-url", other, otherItem, `links to ${otherItem.url} here but to ${item.url} in ${name(feeds.rss)}`);
      }
    }
  }
  for (const [id, atom] of atomItems) {
    const json = jsonItems.get(id);
    if (json && differ(atom.updated, json.updated)) {
      report("error", "cross-item-date", feeds.json, json, `date_modified ${iso(json.updated)} here but updated ${iso(atom.updated)} in ${name(feeds.atom)}`);
    }
  }

  const orderOf = (feed: FeedSummary) => feed.items.map((item) => item.id).join("\n");
  const sameSet = all.every((feed) => feed.items.length === feeds.rss.items.length) && findings.every((finding) => finding.code !== "cross-item-missing");
  if (sameSet && (orderOf(feeds.atom) !== orderOf(feeds.rss) || orderOf(feeds.json) !== orderOf(feeds.rss))) {
    report("warning", "cross-item-order", feeds.rss, undefined, "the formats list the same items in different orders; readers that show feed order disagree");
  }

  for (const [index, feed] of all.entries()) {
    for (const other of all.slice(index + 1)) {
      if (feed.selfLink !== undefined && feed.selfLink === other.selfLink) {
        report("error", "self-link-mismatch", other, undefined, `its self link ${JSON.stringify(other.selfLink)} is also the self link of ${name(feed)}; each format must point at its own file`);
      }
    }
  }
  return findings;
}
