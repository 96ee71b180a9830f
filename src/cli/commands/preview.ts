import { WirefeedError } from "../../errors.ts";
import { type PreviewEvent, startPreview } from "../../preview/start-preview.ts";
import { displayPath, toBuildOptions } from "../build-options.ts";
import { findCommand } from "../command-specs.ts";
import { compareFeedItems, digestFeedText } from "../compare-feed-items.ts";
import { formatWarning } from "../format-finding.ts";
import type { CliIo } from "../io.ts";
import { parseFlags } from "../parse-flags.ts";
import { renderCommandHelp } from "../render-help.ts";
import { resolveNow } from "../resolve-now.ts";
import { createStyle, isColourWanted } from "../style.ts";
import { findJsonFeed, formatBuildSummary } from "./build.ts";

function parsePort(value: string | boolean | undefined): number | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new WirefeedError("USAGE", `expected a port number from 0 to 65535, got ${JSON.stringify(value)}`, { field: "--port" });
  }
  return Number(value);
}

/** `wirefeed preview`: resolves when the server has closed (Ctrl-C, or `io.signal`). */
export async function runPreview(args: string[], io: CliIo): Promise<number> {
  const command = findCommand("preview");
  if (!command) throw new Error("the preview command is not registered");
  const { values } = parseFlags(command, args);
  if (values.help) {
    io.stdout(renderCommandHelp(command));
    return 0;
  }
  const port = parsePort(values.port);
  const now = resolveNow(values.now as string | undefined, io.env);
  const style = createStyle(isColourWanted(io.env, io.isTTY));
  const time = () => style.dim(new Date().toTimeString().slice(0, 8));

  const onEvent = (event: PreviewEvent) => {
    if (event.type === "built") {
      const { result } = event;
      const changes = compareFeedItems(digestFeedText(event.previousFeed), digestFeedText(findJsonFeed(result)?.contents ?? "{}"));
      for (const diagnostic of result.diagnostics) io.stderr(`${formatWarning(diagnostic, style)}\n`);
      if (event.changed.length > 0) io.stderr(`${time()} ${style.cyan("changed")} ${event.changed.join(", ")}\n`);
      io.stderr(formatBuildSummary(result, changes, { style, verbose: false, outDir: displayPath(io.cwd, result.outDir), durationMs: event.durationMs }));
      return;
    }
    if (event.changed.length > 0) io.stderr(`${time()} ${style.cyan("changed")} ${event.changed.join(", ")}\n`);
    io.stderr(`${style.red(event.message)}\n`);
    io.stderr(
      `${style.yellow(event.keptLastGood ? "Still serving the last good build" : "Serving what the output folder holds")}; the error is also on the preview page. Fix it and save to rebuild.\n`,
    );
  };

  const handle = await startPreview({ build: toBuildOptions(values, io.cwd, now), ...(port === undefined ? {} : { port }), onEvent });
  io.stderr(`${style.bold("Preview")} at ${style.cyan(handle.url)}  (127.0.0.1 only; Ctrl-C to stop)\n`);
  io.stderr(`${style.dim("Rebuilds when an article or the config changes; the page reloads by itself.")}\n`);
  const stop = () => void handle.close();
  if (io.signal?.aborted) stop();
  io.signal?.addEventListener("abort", stop, { once: true });
  await handle.closed;
  io.signal?.removeEventListener("abort", stop);
  io.stderr("Preview stopped.\n");
  return 0;
}
