import v8 from "node:v8";
import { describe, expect, it, vi } from "vitest";
import { toBuildOptions } from "../../src/cli/build-options.ts";
import { GROWTH_BYTES, collectAll, collectGarbage, createGrowthCollector } from "../../src/cli/collect-garbage.ts";

describe("collectGarbage (issue 7)", () => {
  it("collects only once the heap has grown by GROWTH_BYTES since the last collection", () => {
    let used = 10 * GROWTH_BYTES;
    const collections: number[] = [];
    const collect = createGrowthCollector(
      () => {
        collections.push(used);
        used = 3 * GROWTH_BYTES;
      },
      () => used,
    );
    collect();
    expect(collections).toEqual([10 * GROWTH_BYTES]);
    // Measured from what the collection left (3 × GROWTH_BYTES), not from where it started.
    used = 4 * GROWTH_BYTES - 1;
    collect();
    expect(collections).toHaveLength(1);
    used = 4 * GROWTH_BYTES;
    collect();
    expect(collections).toEqual([10 * GROWTH_BYTES, 4 * GROWTH_BYTES]);
  });

  it("uses globalThis.gc when node runs with --expose-gc, and then sets no flag", async () => {
    vi.resetModules();
    const gc = vi.fn();
    const setFlags = vi.spyOn(v8, "setFlagsFromString");
    (globalThis as { gc?: unknown }).gc = gc;
    try {
      const fresh = await import("../../src/cli/collect-garbage.ts");
      fresh.collectAll();
      fresh.collectAll();
      expect(gc).toHaveBeenCalledTimes(2);
      expect(setFlags).not.toHaveBeenCalled();
    } finally {
      delete (globalThis as { gc?: unknown }).gc;
      setFlags.mockRestore();
    }
  });

  it("is what the CLI's commands pass to build", () => {
    expect(toBuildOptions({}, "/site", undefined).collectGarbage).toBe(collectGarbage);
  });

  it("does nothing on a heap smaller than GROWTH_BYTES", () => {
    let calls = 0;
    createGrowthCollector(() => calls++, () => GROWTH_BYTES - 1)();
    expect(calls).toBe(0);
  });

  it("runs V8's full collection, which frees garbage scavenges would have left", () => {
    // Old enough to be promoted out of the young generation: only a full collection frees it.
    let garbage: { index: number; text: string }[] | undefined = Array.from({ length: 600_000 }, (_, index) => ({ index, text: `item ${index}` }));
    for (let round = 0; round < 3; round++) new Array(2_000_000).fill(round);
    const held = v8.getHeapStatistics().used_heap_size;
    expect(garbage.length).toBe(600_000);
    garbage = undefined;
    collectAll();
    const after = v8.getHeapStatistics().used_heap_size;
    expect(held - after).toBeGreaterThan(20 * 1024 * 1024);
    // The collector the CLI passes to build runs without throwing, whatever the heap.
    expect(() => collectGarbage()).not.toThrow();
  });
});
