/**
 * Preloaded into every measured child (`node --import tsx --import bench/report-usage.ts …`):
 * when the process exits, it writes its own CPU time and peak RSS as one JSON line on stdout.
 * A preload measures the real entry point (bin/wirefeed.ts) unchanged, and the parent cannot read
 * a child's rusage from Node. Import nothing from here: importing it installs the hook.
 */
import { writeSync } from "node:fs";
import { type ChildUsage, USAGE_MARKER } from "./usage-line.ts";

process.on("exit", (code) => {
  const cpu = process.cpuUsage();
  const usage: ChildUsage = {
    marker: USAGE_MARKER,
    cpuMs: (cpu.user + cpu.system) / 1000,
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
    maxRssKB: process.resourceUsage().maxRSS,
    exitCode: code,
  };
  // Synchronous: on "exit" the event loop is gone, and an async stdout write to a pipe may be lost.
  writeSync(1, `\n${JSON.stringify(usage)}\n`);
});
