import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FeedItem, FeedModel } from "../../src/model/types.ts";
import { applyFeedState, hashItems, hashItemsV1 } from "../../src/state/feed-state.ts";
import { baseItem, baseModel } from "../support/feed-model.ts";

/**
 * The state file records a digest of each feed's items; a build that computed it differently
 * would see every feed as changed and move its `updated` once. The digest is fed in parts so the
 * HTML is not copied once more (issue 7): it must stay the digest of the one string it always was.
 */
function hashItemsAsRecordedV1(model: FeedModel): string {
  const hash = createHash("sha256");
  for (const item of model.items) {
    hash.update(JSON.stringify([item.id, item.url, item.published.toISOString(), item.updated.toISOString(), item.title, item.summary, item.fullContent ? item.html : ""]));
    hash.update("\n");
  }
  return hash.digest("hex");
}

const text = fc.string({ unit: "binary", maxLength: 12 });
const item = fc.record({ id: text, url: text, title: text, summary: text, html: text, fullContent: fc.boolean(), ms: fc.integer({ min: 0, max: 4e12 }) }).map(
  ({ ms, ...fields }) => ({ ...fields, published: new Date(ms), updated: new Date(ms + 1) }) as unknown as FeedItem,
);

/** The digest `hashItems` records, made from the one string it stands for. */
function hashItemsAsRecorded(model: FeedModel): string {
  const lines = model.items.map((item) => {
    const html = item.fullContent ? item.html : "";
    return `${JSON.stringify([item.id, item.url, item.published.toISOString(), item.updated.toISOString(), item.title, item.summary, html.length])}\n${html}`;
  });
  return `2:${createHash("sha256").update(lines.join("")).digest("hex")}`;
}

describe("the digest of a feed's items", () => {
  it("is the digest of the same bytes as before, for any items", () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 5 }), (items) => {
        const model = { items } as FeedModel;
        expect(hashItems(model)).toBe(hashItemsAsRecorded(model));
        expect(hashItemsV1(model)).toBe(hashItemsAsRecordedV1(model));
      }),
      { numRuns: 500 },
    );
  });

  // A state file recorded before the digest changed (issue 7): its unchanged feeds stay unchanged.
  it("keeps the recorded updated of unchanged items recorded with the first digest, and records the new one", () => {
    const model = { ...baseModel, updated: new Date("2025-01-01T00:00:00Z"), items: [{ ...baseItem, html: "<p>“x”</p>" }] };
    const recorded = "2025-06-01T00:00:00.000Z";
    const now = new Date("2026-01-01T00:00:00Z");
    const older = { version: 1 as const, feeds: { [model.links.json]: { items: hashItemsAsRecordedV1(model), updated: recorded } } };
    const unchanged = applyFeedState([model], older, now);
    expect(unchanged.models[0]?.updated.toISOString()).toBe(recorded);
    expect(unchanged.state.feeds[model.links.json]).toEqual({ items: hashItems(model), updated: recorded });
    // And with that new record, the next build sees them as unchanged too.
    expect(applyFeedState([model], unchanged.state, now).models[0]?.updated.toISOString()).toBe(recorded);
    const edited = { ...model, items: [{ ...baseItem, html: "<p>y</p>" }] };
    expect(applyFeedState([edited], older, now).models[0]?.updated.toISOString()).toBe(now.toISOString());
  });

  it("still tells full content from a summary-only item with the same fields", () => {
    const [one] = fc.sample(item, { numRuns: 1, seed: 2 }) as [FeedItem];
    expect(hashItems({ items: [{ ...one, fullContent: true, html: "" }] } as unknown as FeedModel)).toBe(
      hashItems({ items: [{ ...one, fullContent: false }] } as unknown as FeedModel),
    );
    expect(hashItems({ items: [{ ...one, fullContent: true, html: "<p>x</p>" }] } as unknown as FeedModel)).not.toBe(
      hashItems({ items: [{ ...one, fullContent: false }] } as unknown as FeedModel),
    );
  });

  // loadState checks only the file's shape: a damaged entry refines nothing, and never throws.
  it("takes a damaged entry for changed items, as before the digest changed", () => {
    const model = { ...baseModel, updated: new Date("2025-01-01T00:00:00Z"), items: [{ ...baseItem }] };
    const now = new Date("2026-01-01T00:00:00Z");
    for (const damaged of [{ updated: "2025-06-01T00:00:00.000Z" }, { items: null, updated: "2025-06-01T00:00:00.000Z" }, { items: 5, updated: "2025-06-01T00:00:00.000Z" }]) {
      const state = { version: 1 as const, feeds: { [model.links.json]: damaged as unknown as { items: string; updated: string } } };
      const applied = applyFeedState([model], state, now);
      expect(applied.models[0]?.updated.toISOString()).toBe(now.toISOString());
      expect(applied.state.feeds[model.links.json]?.items).toBe(hashItems(model));
    }
  });
});
