import { createHash } from "node:crypto";
import type { FeedModel } from "../model/types.ts";

/** What the last build recorded per feed document: which items it held, and its `updated`. */
export interface FeedState {
  version: 1;
  feeds: Record<string, { items: string; updated: string }>;
}

export const EMPTY_STATE: FeedState = { version: 1, feeds: {} };

/** A digest of everything a reader sees of the items: ids, dates, titles, links and content. */
export function hashItems(model: FeedModel): string {
  const hash = createHash("sha256");
  for (const item of model.items) {
    // The digest of JSON.stringify([id, url, published, updated, title, summary, html or ""]) and
    // a line break, with the HTML's JSON fed on its own rather than copied into one more string.
    const fields = JSON.stringify([item.id, item.url, item.published.toISOString(), item.updated.toISOString(), item.title, item.summary, ""]);
    if (item.fullContent) {
      hash.update(fields.slice(0, -'""]'.length));
      hash.update(JSON.stringify(item.html));
      hash.update("]\n");
    } else hash.update(`${fields}\n`);
  }
  return hash.digest("hex");
}

/**
 * The feed's `updated` moves when an item is added, edited or removed, and only then:
 * - items unchanged since the last build: the recorded instant, so the bytes stay the same;
 * - a newer item date (an addition, or an edit with a new `updated:`): that date;
 * - otherwise something was removed or edited in place, and no item date says when: the build
 *   instant, recorded so that later builds of the same items repeat it.
 * Without a record (a first build), it is the newest item date, as before.
 */
export function applyFeedState(models: readonly FeedModel[], state: FeedState, now: Date): { models: FeedModel[]; state: FeedState } {
  const feeds: FeedState["feeds"] = {};
  const result = models.map((model) => {
    const key = model.links.json;
    const items = hashItems(model);
    const previous = state.feeds[key];
    let updated = model.updated;
    if (previous) {
      const recorded = new Date(previous.updated);
      if (previous.items === items) updated = recorded > updated ? recorded : updated;
      else if (updated <= recorded) updated = now > recorded ? now : recorded;
    }
    feeds[key] = { items, updated: updated.toISOString() };
    return updated.getTime() === model.updated.getTime() ? model : { ...model, updated };
  });
  const sorted = Object.fromEntries(Object.entries(feeds).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { models: result, state: { version: 1, feeds: sorted } };
}
