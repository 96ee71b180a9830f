import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FeedItem, FeedModel } from "../../src/model/types.ts";
import { hashItems } from "../../src/state/feed-state.ts";

/**
 * The state file records a digest of each feed's items; a build that computed it differently
 * would see every feed as changed and move its `updated` once. The digest is fed in parts so the
 * HTML is not copied once more (issue 7): it must stay the digest of the one string it always was.
 */
function hashItemsAsRecorded(model: FeedModel): string {
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

describe("the digest of a feed's items", () => {
  it("is the digest of the same bytes as before, for any items", () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 5 }), (items) => {
        const model = { items } as FeedModel;
        expect(hashItems(model)).toBe(hashItemsAsRecorded(model));
      }),
      { numRuns: 500 },
    );
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
});
