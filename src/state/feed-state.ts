import { createHash } from "node:crypto";
import type { FeedItem, FeedModel } from "../model/types.ts";

/** What the last build recorded per feed document: which items it held, and its `updated`. */
export interface FeedState {
  version: 1;
  feeds: Record<string, { items: string; updated: string }>;
}

export const EMPTY_STATE: FeedState = { version: 1, feeds: {} };

/** The prefix of a digest made by `hashItems`; a recorded digest without it was made by `hashItemsV1`. */
const DIGEST_V2 = "2:";

/** Item by item, the digest of a feed's items: what `hashItems` or `hashItemsV1` makes of them all. */
export interface ItemsDigest {
  add(item: FeedItem): void;
  digest(): string;
}

/**
 * A digest of everything a reader sees of the items: ids, dates, titles, links and content. Per
 * item, `JSON.stringify([id, url, published, updated, title, summary, length])` and a line break,
 * then the HTML itself, `length` UTF-16 units of it ("" for an item without full content), so
 * the stream reads back one way only. The HTML is hashed as it is (issue 7: making its JSON
 * literal first, as the first digest did, cost a feed of 10,000 full items a quarter of a second).
 */
export function hashItems(model: FeedModel): string {
  return digestAll(startItemsDigest(), model);
}

/** `hashItems`, an item at a time: a feed written as its items render never holds all their HTML (issue 7). */
export function startItemsDigest(): ItemsDigest {
  const hash = createHash("sha256");
  return {
    add(item) {
      const html = item.fullContent ? item.html : "";
      hash.update(`${JSON.stringify([item.id, item.url, item.published.toISOString(), item.updated.toISOString(), item.title, item.summary, html.length])}\n`);
      hash.update(html);
    },
    digest: () => DIGEST_V2 + hash.digest("hex"),
  };
}

/**
 * The digest state files recorded before `hashItems`: the sha256 of
 * JSON.stringify([id, url, published, updated, title, summary, html or ""]) and a line break per
 * item. Still computed for a feed whose recorded digest is of this kind, so that the first build
 * after an upgrade sees its unchanged items as unchanged; that build records the new digest.
 */
export function hashItemsV1(model: FeedModel): string {
  return digestAll(startItemsDigestV1(), model);
}

/** `hashItemsV1`, an item at a time. */
export function startItemsDigestV1(): ItemsDigest {
  const hash = createHash("sha256");
  return {
    add(item) {
      // The HTML's JSON is fed on its own rather than copied into one more string.
      const fields = JSON.stringify([item.id, item.url, item.published.toISOString(), item.updated.toISOString(), item.title, item.summary, ""]);
      if (item.fullContent) {
        hash.update(fields.slice(0, -'""]'.length));
        hash.update(JSON.stringify(item.html));
        hash.update("]\n");
      } else hash.update(`${fields}\n`);
    },
    digest: () => hash.digest("hex"),
  };
}

function digestAll(digest: ItemsDigest, model: FeedModel): string {
  for (const item of model.items) digest.add(item);
  return digest.digest();
}

/**
 * The digests of a feed's items made as they went by, for a model whose items no longer hold
 * their HTML: `items` by `hashItems`, and `v1` by `hashItemsV1` when the recorded digest is of
 * that kind (`isCurrentDigest` false).
 */
export interface KnownDigests {
  items: string;
  v1?: string | undefined;
}

/**
 * Whether `recorded` is the digest of these items, of whichever kind it is. A damaged entry (no
 * digest, or not a string: loadState checks only the file's shape) records nothing.
 */
function recordsItems(recorded: unknown, model: FeedModel, items: string, known: KnownDigests | undefined): boolean {
  if (typeof recorded !== "string") return false;
  if (recorded.startsWith(DIGEST_V2)) return recorded === items;
  if (known && known.v1 === undefined) throw new Error(`${model.links.json}: the recorded digest is of the first kind, and no such digest was made`);
  return recorded === (known ? known.v1 : hashItemsV1(model));
}

/** Whether a recorded entry's digest is of the kind `hashItems` makes (not of the first kind, nor damaged). */
export function isCurrentDigest(entry: { items: unknown } | undefined): boolean {
  return typeof entry?.items === "string" && entry.items.startsWith(DIGEST_V2);
}

/**
 * The feed's `updated` moves when an item is added, edited or removed, and only then:
 * - items unchanged since the last build: the recorded instant, so the bytes stay the same;
 * - a newer item date (an addition, or an edit with a new `updated:`): that date;
 * - otherwise something was removed or edited in place, and no item date says when: the build
 *   instant, recorded so that later builds of the same items repeat it.
 * Without a record (a first build), it is the newest item date, as before.
 * `known` gives the digests of models whose items no longer hold their HTML (`KnownDigests`).
 */
export function applyFeedState(
  models: readonly FeedModel[],
  state: FeedState,
  now: Date,
  known?: ReadonlyMap<FeedModel, KnownDigests>,
): { models: FeedModel[]; state: FeedState } {
  const feeds: FeedState["feeds"] = {};
  const result = models.map((model) => {
    const key = model.links.json;
    const digests = known?.get(model);
    const items = digests ? digests.items : hashItems(model);
    const previous = state.feeds[key];
    let updated = model.updated;
    if (previous) {
      const recorded = new Date(previous.updated);
      if (recordsItems(previous.items, model, items, digests)) updated = recorded > updated ? recorded : updated;
      else if (updated <= recorded) updated = now > recorded ? now : recorded;
    }
    feeds[key] = { items, updated: updated.toISOString() };
    return updated.getTime() === model.updated.getTime() ? model : { ...model, updated };
  });
  const sorted = Object.fromEntries(Object.entries(feeds).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { models: result, state: { version: 1, feeds: sorted } };
}
