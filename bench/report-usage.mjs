/**
 * Preloaded into every measured child (`node [--import tsx] --import bench/report-usage.mjs …`):
 * when the process exits, it writes its own CPU time and peak RSS as one JSON line on stdout.
 * A preload measures the real entry point unchanged, and the parent cannot read a child's rusage
 * from Node. Plain JavaScript, so that the compiled CLI runs without tsx's loader (which would add
 * its own start-up to every measurement). The line's shape is `ChildUsage` in usage-line.ts, and
 * the marker must equal USAGE_MARKER there (the bench fails with "no usage line" otherwise).
 * Import nothing from here: importing it installs the hook.
 */
import { writeSync } from "node:fs";

process.on("exit", (code) => {
  const cpu = process.cpuUsage();
  const usage = {
    marker: "wirefeed-bench-usage",
    cpuMs: (cpu.user + cpu.system) / 1000,
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
    maxRssKB: process.resourceUsage().maxRSS,
    exitCode: code,
  };
  // Synchronous: on "exit" the event loop is gone, and an async stdout write to a pipe may be lost.
  writeSync(1, `\n${JSON.stringify(usage)}\n`);
});
