/** The line a measured child prints on exit (see report-usage.ts); shared with the parent that reads it. */

/** The line's marker, so the parent can tell it from anything else the child prints. */
export const USAGE_MARKER = "wirefeed-bench-usage";

export interface ChildUsage {
  marker: typeof USAGE_MARKER;
  /** User + system CPU time of every thread, in ms. */
  cpuMs: number;
  userMs: number;
  systemMs: number;
  /** Peak resident set size in KB (getrusage ru_maxrss, via process.resourceUsage()). */
  maxRssKB: number;
  exitCode: number;
}
