/** The bench's result records, their medians and ratios, and the table printed on stdout. */
import type { VariantInfo, VariantKey } from "./variants.ts";

export interface RunRecord {
  run: number;
  ok: boolean;
  /** Whole-process wall time, measured by the parent from spawn to exit. */
  wallMs: number;
  /** User + system CPU time the child reported. */
  cpuMs?: number;
  /** Peak RSS the child reported, in KB. */
  maxRssKB?: number;
  /** The machine's 1-minute load average just before the run: other work on the box skews wall time. */
  loadBefore: number;
  error?: string;
  /** The end of a failed run's stderr, for the JSON report. */
  stderrTail?: string;
}

export interface Medians {
  wallMs: number;
  cpuMs: number;
  maxRssKB: number;
}

export interface VariantResult {
  variant: VariantKey;
  label: string;
  n: number;
  runs: RunRecord[];
  /** Over the successful runs; absent when none succeeded. */
  median?: Medians;
  /** Median wall time over the naive script's at the same N. */
  ratioToNaive?: number;
  /** Median wall time over the render floor's at the same N. */
  ratioToFloorRender?: number;
  /**
   * Median wall time over the floor of what this variant renders, on every core, at the same N
   * (`OWN_FLOOR`): the ratio issue 7's "within 1.2× of the render floor" asks about.
   */
  ratioToOwnFloor?: number;
  /** Setup failures, failed runs, failed checks, skips. */
  errors: string[];
}

export interface CorpusInfo {
  n: number;
  seed: number;
  totalBytes: number;
  meanBytes: number;
  minBytes: number;
  maxBytes: number;
  generateMs: number;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  totalMemoryBytes: number;
  node: string;
  platform: string;
  date: string;
  /** 1, 5 and 15-minute load averages when the bench started; above the core count, expect noisy wall times. */
  loadAverage: number[];
  /** The wirefeed commit measured, with "+dirty" when the work tree had changes. */
  commit?: string;
}

export interface BenchReport {
  machine: MachineInfo;
  options: { sizes: number[]; runs: number; seed: number; now: string; timeoutSeconds: number };
  variants: readonly VariantInfo[];
  corpora: CorpusInfo[];
  results: VariantResult[];
  /** False when any variant failed or any check did not pass. */
  ok: boolean;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The parallel render floor of the articles each variant renders (every one, or the default feeds' own). */
const OWN_FLOOR: Partial<Record<VariantKey, VariantKey>> = {
  "cold-all": "floor-render-cores",
  "cold-archive": "floor-render-cores",
  naive: "floor-render-cores",
  default: "floor-render-default",
};

/** Fill in medians and ratios; a ratio needs both medians at the same N. */
export function summarize(results: VariantResult[]): void {
  for (const result of results) {
    const good = result.runs.filter((run) => run.ok && run.cpuMs !== undefined && run.maxRssKB !== undefined);
    if (good.length === 0) {
      delete result.median;
      continue;
    }
    result.median = {
      wallMs: median(good.map((run) => run.wallMs)),
      cpuMs: median(good.map((run) => run.cpuMs as number)),
      maxRssKB: median(good.map((run) => run.maxRssKB as number)),
    };
  }
  for (const result of results) {
    const wallOf = (key: VariantKey) => results.find((other) => other.variant === key && other.n === result.n)?.median?.wallMs;
    const naive = wallOf("naive");
    const floor = wallOf("floor-render");
    const wall = result.median?.wallMs;
    if (wall !== undefined && naive) result.ratioToNaive = wall / naive;
    else delete result.ratioToNaive;
    if (wall !== undefined && floor) result.ratioToFloorRender = wall / floor;
    else delete result.ratioToFloorRender;
    const ownFloorKey = OWN_FLOOR[result.variant];
    const ownFloor = ownFloorKey && wallOf(ownFloorKey);
    if (wall !== undefined && ownFloor) result.ratioToOwnFloor = wall / ownFloor;
    else delete result.ratioToOwnFloor;
  }
}

const seconds = (ms: number | undefined) => (ms === undefined ? "—" : (ms / 1000).toFixed(ms < 10_000 ? 2 : 1));
const megabytes = (kb: number | undefined) => (kb === undefined ? "—" : (kb / 1024).toFixed(0));
const ratio = (value: number | undefined) => (value === undefined ? "—" : `${value.toFixed(2)}×`);

/** A plain-text table, one row per variant and size, for stdout. */
export function formatTable(results: VariantResult[]): string {
  const header = ["variant", "N", "wall s", "CPU s", "peak RSS MB", "÷ naive", "÷ floor render", "÷ its floor", "runs ok", "note"];
  const rows = results.map((result) => [
    result.label,
    String(result.n),
    seconds(result.median?.wallMs),
    seconds(result.median?.cpuMs),
    megabytes(result.median?.maxRssKB),
    ratio(result.ratioToNaive),
    ratio(result.ratioToFloorRender),
    ratio(result.ratioToOwnFloor),
    `${result.runs.filter((run) => run.ok).length}/${result.runs.length}`,
    result.errors[0] ? truncate(result.errors[0], 100) + (result.errors.length > 1 ? ` (+${result.errors.length - 1} more)` : "") : "",
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  // Names and notes read left to right; numbers line up on the right.
  const leftAligned = new Set([0, header.length - 1]);
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (leftAligned.has(column) ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n") + "\n";
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
