import { readFileSync } from "node:fs";
import { WirefeedError, formatError } from "../errors.ts";
import { COMMANDS, findCommand } from "./command-specs.ts";
import type { CliIo } from "./io.ts";
import { renderCommandHelp, renderMainHelp } from "./render-help.ts";
import { createStyle, isColourWanted } from "./style.ts";
import { suggestClosest } from "./suggest.ts";

export { resolveNow } from "./resolve-now.ts";

/** The version in package.json: one source of truth. */
export const VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Exit codes: 0 success, 1 content problems, 2 usage or config problems (3: build --exit-code, nothing changed). */
const EXIT_FOR: Record<WirefeedError["code"], number> = {
  USAGE: 2,
  CONFIG_MISSING: 2,
  CONFIG_INVALID: 2,
  ARTICLES_MISSING: 2,
  CONTENT_INVALID: 1,
  GATE_FAILED: 1,
  GUARD_FAILED: 1,
  OUTPUT_UNWRITABLE: 1,
};

type Runner = (args: string[], io: CliIo) => Promise<number>;

/**
 * Each command is imported when it runs: the commands pull in the pipeline and every package it
 * uses, which `--version` and `--help` never need (issue 7: start-up under 150 ms).
 */
const RUNNERS: Record<string, () => Promise<Runner>> = {
  build: async () => (await import("./commands/build.ts")).runBuild,
  check: async () => (await import("./commands/check.ts")).runCheck,
  new: async () => (await import("./commands/new.ts")).runNew,
  preview: async () => (await import("./commands/preview.ts")).runPreview,
  schedule: async () => (await import("./commands/schedule.ts")).runSchedule,
  ping: async () => (await import("./commands/ping.ts")).runPing,
};

function unknownCommand(command: string, rest: readonly string[]): WirefeedError {
  const names = COMMANDS.map((spec) => spec.name);
  if (command.startsWith("-")) {
    const later = rest.find((arg) => names.includes(arg));
    return new WirefeedError("USAGE", `unknown option ${command}`, {
      hint: later ? `put options after the command: wirefeed ${later} ${command}` : "run wirefeed --help",
    });
  }
  const near = suggestClosest(command, names);
  return new WirefeedError("USAGE", `unknown command ${JSON.stringify(command)}`, {
    hint: near ? `did you mean wirefeed ${near}?` : `the commands are ${names.join(", ")}; run wirefeed --help`,
  });
}

/** The CLI: argv in, exit code out. The only place that prints errors or chooses exit codes. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.stderr(renderMainHelp(VERSION));
      return 2;
    }
    if (command === "-h" || command === "--help") {
      io.stdout(renderMainHelp(VERSION));
      return 0;
    }
    if (command === "help") {
      const topic = rest[0] === undefined ? undefined : findCommand(rest[0]);
      if (rest[0] !== undefined && !topic) throw unknownCommand(rest[0], []);
      io.stdout(topic ? renderCommandHelp(topic) : renderMainHelp(VERSION));
      return 0;
    }
    if (command === "-v" || command === "--version") {
      io.stdout(`${VERSION}\n`);
      return 0;
    }
    const load = RUNNERS[command];
    if (!load) throw unknownCommand(command, rest);
    return await (await load())(rest, io);
  } catch (error) {
    const style = createStyle(isColourWanted(io.env, io.isTTY));
    if (error instanceof WirefeedError) {
      const text = formatError(error)
        .split("\n")
        .map((line) => (line.startsWith("hint:") ? style.dim(line) : line.startsWith("warning:") ? `${style.yellow("warning:")}${line.slice(8)}` : style.red(line)))
        .join("\n");
      io.stderr(`${text}\n`);
      return EXIT_FOR[error.code];
    }
    io.stderr(`This is a bug in wirefeed; please report it with the text below.\n${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
