import { describe, expect, it } from "vitest";
import { type VariantResult, formatTable, summarize } from "../../bench/summarize.ts";
import type { VariantKey } from "../../bench/variants.ts";

/** A variant's result at size `n` from its runs' wall times (CPU and memory are beside the point here). */
function result(variant: VariantKey, n: number, walls: number[]): VariantResult {
  return {
    variant,
    label: variant,
    n,
    runs: walls.map((wallMs, index) => ({ run: index + 1, ok: true, wallMs, cpuMs: wallMs, maxRssKB: 1024, loadBefore: 0 })),
    errors: [],
  };
}

describe("bench summary: medians and ratios", () => {
  it("takes each variant's ratio to the naive script, the one-thread floor and the floor of what it renders, at the same N", () => {
    const results = [
      result("cold-all", 10, [900, 800, 1000]),
      result("default", 10, [500]),
      result("warm-one-edit", 10, [100]),
      result("naive", 10, [2000]),
      result("floor-render", 10, [1600]),
      result("floor-render-cores", 10, [400]),
      result("floor-render-default", 10, [250]),
      // Another size's floors must not be used.
      result("floor-render-cores", 20, [1]),
      result("floor-render-default", 20, [1]),
    ];
    summarize(results);
    const of = (variant: VariantKey) => results.find((entry) => entry.variant === variant && entry.n === 10) as VariantResult;
    expect(of("cold-all").median?.wallMs).toBe(900);
    expect(of("cold-all").ratioToNaive).toBeCloseTo(0.45);
    expect(of("cold-all").ratioToFloorRender).toBeCloseTo(0.5625);
    expect(of("cold-all").ratioToOwnFloor).toBeCloseTo(2.25);
    expect(of("default").ratioToOwnFloor).toBeCloseTo(2);
    expect(of("naive").ratioToOwnFloor).toBeCloseTo(5);
    // A rebuild renders one article or none: no floor of its own.
    expect(of("warm-one-edit").ratioToOwnFloor).toBeUndefined();
    expect(of("floor-render-cores").ratioToOwnFloor).toBeUndefined();

    const table = formatTable(results);
    expect(table).toContain("÷ its floor");
    expect(table.split("\n").find((line) => line.startsWith("default "))).toMatch(/2\.00×/);
  });

  it("gives no own-floor ratio when that floor failed at this N", () => {
    const failed = result("floor-render-default", 10, [300]);
    failed.runs = failed.runs.map((run) => ({ ...run, ok: false }));
    const results = [result("default", 10, [500]), failed];
    summarize(results);
    expect(results[0]?.ratioToOwnFloor).toBeUndefined();
  });
});
