import { createHash } from "node:crypto";
import type { FeedPlan } from "./plan-feeds.ts";
import type { Article, FeedListing } from "./types.ts";

/**
 * A digest of everything of an article that reaches a feed: every validated field (media types and
 * lengths included) and the digest of its body. Not the body itself, which a build that reused the
 * article never read.
 */
export function fingerprintArticle(article: Article): string {
  const { body: _body, ...rest } = article;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex");
}

/**
 * A digest of everything a feed document's bytes depend on: the settings (`settingsKey`: the
 * config, the versions), the plan (title, links, RFC 5005 links, removals), each item's article in
 * order, and the recorded state of the feed, which decides its `updated`. Two builds that give a
 * document the same fingerprint write the same bytes for it, which is what lets a build reuse it.
 */
export function fingerprintPlan(
  plan: FeedPlan,
  articleFingerprint: (id: string) => string,
  settingsKey: string,
  stateEntry: unknown,
): string {
  const { articleIds, ...rest } = plan;
  const hash = createHash("sha256").update(settingsKey).update("\n").update(JSON.stringify(rest));
  hash.update("\n").update(JSON.stringify(stateEntry ?? null));
  for (const id of articleIds) hash.update("\n").update(articleFingerprint(id));
  return hash.digest("hex");
}

/**
 * The pages made from the main feed and the list of feeds (subscribe page, OPML, autodiscovery):
 * their bytes depend on the main feed's items and `updated` (its fingerprint says all of that,
 * settings included) and on the list of feeds.
 */
export function fingerprintPages(mainFingerprint: string, listings: readonly FeedListing[]): string {
  return createHash("sha256").update(mainFingerprint).update("\n").update(JSON.stringify(listings)).digest("hex");
}
