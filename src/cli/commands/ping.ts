import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { WirefeedError } from "../../errors.ts";
import { build } from "../../pipeline.ts";
import { type PingFeed, pingHubs } from "../../ping/ping-hubs.ts";
import { emptyPingState, parsePingState, serializePingState } from "../../ping/ping-state.ts";
import { displayPath, toBuildOptions } from "../build-options.ts";
import { findCommand } from "../command-specs.ts";
import type { CliIo } from "../io.ts";
import { parseFlags } from "../parse-flags.ts";
import { renderCommandHelp } from "../render-help.ts";
import { resolveNow } from "../resolve-now.ts";

const FEED_TYPES = new Set(["application/rss+xml", "application/atom+xml", "application/feed+json"]);
export const DEFAULT_PING_STATE = ".wirefeed/ping.json";

export async function runPing(args: string[], io: CliIo): Promise<number> {
  const command = findCommand("ping");
  if (!command) throw new Error("the ping command is not registered");
  const { values } = parseFlags(command, args);
  if (values.help) {
    io.stdout(renderCommandHelp(command));
    return 0;
  }
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const timeoutText = text("timeout");
  const timeoutMs = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0)) {
    throw new WirefeedError("USAGE", `expected a whole number of milliseconds, got ${JSON.stringify(timeoutText)}`, { field: "--timeout" });
  }
  // The feed list comes from the pipeline (every feed it would write, nothing written); the bytes
  // come from the output folder, which is what was deployed.
  // The same instant as the build that was deployed (--now or SOURCE_DATE_EPOCH), so the same feeds.
  const now = resolveNow(text("now"), io.env);
  const result = await build({ ...toBuildOptions(values, io.cwd, now), write: false });
  const { config, root } = result.loaded;
  if (config.hubs.length === 0) {
    io.stderr("No hubs in the config (hubs: […]); nothing to ping.\n");
    return 0;
  }
  const feeds: PingFeed[] = [];
  for (const file of result.files) {
    if (!FEED_TYPES.has(file.mediaType)) continue;
    const contents = await readFile(path.join(result.outDir, file.path)).catch(() => undefined);
    if (contents === undefined) {
      throw new WirefeedError("USAGE", `${displayPath(io.cwd, path.join(result.outDir, file.path))} is missing: build and deploy before you ping`, {
        hint: "run wirefeed build first",
      });
    }
    feeds.push({ url: new URL(file.path, config.siteUrl).href, contents });
  }
  const stateFile = path.resolve(root, text("state") ?? DEFAULT_PING_STATE);
  const shownState = displayPath(io.cwd, stateFile);
  const stateText = await readFile(stateFile, "utf8").catch(() => undefined);
  const state = stateText === undefined ? emptyPingState() : parsePingState(stateText, shownState);
  const changed = text("changed")?.split(",").map((url) => url.trim()).filter(Boolean);
  const outcome = await pingHubs({
    hubs: config.hubs,
    feeds,
    state,
    ...(changed ? { changed } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  if (outcome.outcome === "nothing-changed") {
    io.stderr("No feed changed since the last ping; nothing sent.\n");
    return 0;
  }
  for (const hub of outcome.hubs) {
    for (const ping of hub.pings) {
      io.stderr(`${ping.ok ? "pinged" : "FAILED"} ${hub.hub} ← ${ping.url}${ping.ok ? "" : `: ${ping.error ?? "no answer"}`}\n`);
    }
  }
  // Temp file and rename: a crash never leaves a half-written state that would stop the next ping.
  await mkdir(path.dirname(stateFile), { recursive: true });
  await writeFile(`${stateFile}.tmp`, serializePingState(outcome.state));
  await rename(`${stateFile}.tmp`, stateFile);
  if (outcome.outcome === "failed") {
    io.stderr(`Every hub failed; nothing was announced. ${shownState} is unchanged, so the next ping retries.\n`);
    return 1;
  }
  io.stderr(`Announced ${outcome.pinged.length} feed(s) to ${outcome.succeeded.length} of ${outcome.hubs.length} hub(s).\n`);
  return 0;
}
