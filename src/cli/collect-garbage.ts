/**
 * V8's full garbage collection, for `build` to call between the large steps of a feed written as
 * its items render (issue 7): V8 sizes its heap by what it last found alive, and after the render
 * it let the garbage of making each 100 MB document pile up (1.58 GB at the peak at 50,000 items,
 * 1.0 GB with a collection between the steps). A call collects only once the heap has grown by
 * GROWTH_BYTES since the last collection made here, since each one marks everything alive.
 */
import v8 from "node:v8";
import vm from "node:vm";

/** Heap growth since the last collection that is worth a collection (measured at 10,000 and 50,000 items). */
export const GROWTH_BYTES = 64 * 1024 * 1024;

/**
 * A collector that runs `collect` when the heap in use (`heapUsed`) has grown by GROWTH_BYTES
 * since it last ran it (or since the start), and otherwise does nothing.
 */
export function collectOnGrowth(collect: () => void, heapUsed: () => number): () => void {
  let usedAfter = 0;
  return () => {
    if (heapUsed() < usedAfter + GROWTH_BYTES) return;
    collect();
    usedAfter = heapUsed();
  };
}

let fullCollection: (() => void) | undefined;

/**
 * V8's full collection. Set up on the first call, so that a build that never needs one changes
 * nothing: `--expose-gc` is set then, and V8 installs `gc` in each context made afterwards, of
 * which this makes one. Where that fails, it does nothing.
 */
export function collectAll(): void {
  if (!fullCollection) {
    try {
      v8.setFlagsFromString("--expose-gc");
      const found: unknown = vm.runInNewContext("typeof gc === 'function' ? gc : undefined");
      fullCollection = typeof found === "function" ? (found as () => void) : () => undefined;
    } catch {
      fullCollection = () => undefined;
    }
  }
  fullCollection();
}

/** What the CLI passes to `build` as `collectGarbage`. */
export const collectGarbage = collectOnGrowth(collectAll, () => v8.getHeapStatistics().used_heap_size);
