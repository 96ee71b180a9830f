import { formatZoned } from "../../dates.ts";
import { loadSite } from "../../pipeline.ts";
import { findNextChange, listSchedule } from "../../schedule/list-schedule.ts";
import { toBuildOptions } from "../build-options.ts";
import { findCommand } from "../command-specs.ts";
import type { CliIo } from "../io.ts";
import { parseFlags } from "../parse-flags.ts";
import { renderCommandHelp } from "../render-help.ts";
import { resolveNow } from "../resolve-now.ts";

export async function runSchedule(args: string[], io: CliIo): Promise<number> {
  const command = findCommand("schedule");
  if (!command) throw new Error("the schedule command is not registered");
  const { values } = parseFlags(command, args);
  if (values.help) {
    io.stdout(renderCommandHelp(command));
    return 0;
  }
  const now = resolveNow(values.now as string | undefined, io.env) ?? new Date();
  const site = await loadSite(toBuildOptions(values, io.cwd, now));
  const { timeZone } = site.loaded.config;
  const entries = listSchedule(site.articles, now);
  if (values.next === true) {
    const next = findNextChange(entries);
    if (next) io.stdout(`${next.toISOString()}\n`);
    return 0;
  }
  if (values.json === true) {
    const list = entries.map((entry) => ({
      action: entry.action,
      at: entry.at.toISOString(),
      local: formatZoned(entry.at, timeZone),
      id: entry.id,
      title: entry.title,
      file: entry.file,
    }));
    io.stdout(`${JSON.stringify({ now: now.toISOString(), timeZone, next: list[0]?.at ?? null, entries: list })}\n`);
    return 0;
  }
  if (entries.length === 0) {
    io.stdout(`Nothing scheduled after ${formatZoned(now, timeZone)} (${timeZone}).\n`);
    return 0;
  }
  io.stdout(`Scheduled after ${formatZoned(now, timeZone)}, in ${timeZone} and UTC:\n`);
  for (const entry of entries) {
    const action = entry.action === "publish" ? "publish" : "expire ";
    io.stdout(`  ${action}  ${formatZoned(entry.at, timeZone)}  ${entry.at.toISOString()}  ${entry.file}  ${JSON.stringify(entry.title)}\n`);
  }
  return 0;
}
