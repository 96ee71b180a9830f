/**
 * Runs one measured child process: `node --import bench/report-usage.mjs SCRIPT …` (with
 * `--import tsx` first only for a script that is still TypeScript; the bench compiles the ones it
 * measures, see compile-scripts.ts).
 * Each variant runs in its own process so that its memory is its own; the parent measures wall
 * time from spawn to exit, the child reports its CPU time and peak RSS (see report-usage.ts).
 */
import { spawn } from "node:child_process";
import { type ChildUsage, USAGE_MARKER } from "./usage-line.ts";

/** Resolved here, not in the child: a bare `--import tsx` resolves from the child's cwd, the temp corpus. */
const TSX_LOADER = import.meta.resolve("tsx");
const REPORT_USAGE = new URL("./report-usage.mjs", import.meta.url).href;

export interface ChildCommand {
  /** Absolute path of the script to run. */
  script: string;
  args: string[];
  cwd: string;
}

export interface Measurement {
  ok: boolean;
  wallMs: number;
  cpuMs?: number;
  maxRssKB?: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Why the run failed: exit code or signal and the end of its stderr. */
  error?: string;
  /** Everything the child printed on stdout but the usage line (help text, --json summaries). */
  stdout: string;
  stderrTail: string;
}

const STDERR_TAIL = 4000;

export function runChild(command: ChildCommand, options: { timeoutMs: number }): Promise<Measurement> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    let wallMs = 0;
    const loader = command.script.endsWith(".ts") ? ["--import", TSX_LOADER] : [];
    const child = spawn(process.execPath, [...loader, "--import", REPORT_USAGE, command.script, ...command.args], {
      cwd: command.cwd,
      env: childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("exit", () => {
      wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, wallMs, exitCode: null, signal: null, timedOut, error: `cannot start: ${error.message}`, stdout, stderrTail: stderr });
    });
    // "close" comes after "exit" once stdout is drained, so the usage line is complete.
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      const lines = stdout.split("\n");
      const usageLine = lines.find((line) => line.includes(`"marker":"${USAGE_MARKER}"`));
      const usage = usageLine ? (JSON.parse(usageLine) as ChildUsage) : undefined;
      const rest = lines.filter((line) => line !== usageLine).join("\n").trim();
      const ok = exitCode === 0 && !timedOut && usage !== undefined;
      const why = timedOut
        ? `timed out after ${(options.timeoutMs / 1000).toFixed(0)} s`
        : exitCode !== 0
          ? `exit ${exitCode ?? signal}`
          : usage === undefined
            ? "no usage line on stdout"
            : undefined;
      resolve({
        ok,
        wallMs,
        ...(usage ? { cpuMs: usage.cpuMs, maxRssKB: usage.maxRssKB } : {}),
        exitCode,
        signal,
        timedOut,
        ...(why ? { error: `${why}${stderr.trim() ? `: ${describeStderr(stderr)}` : ""}` } : {}),
        stdout: rest,
        stderrTail: stderr,
      });
    });
  });
}

/** The parent's environment, minus what would change a build: every variant passes its instant explicitly. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SOURCE_DATE_EPOCH;
  return env;
}

/** The lines that say what went wrong (a crash's stack tail says little), else the last few. */
function describeStderr(text: string): string {
  const lines = text.trim().split("\n").map((line) => line.trim()).filter(Boolean);
  const telling = lines.filter((line) => /^(error|warning)\b|Error\b|ERR_|heap out of memory/i.test(line) && !line.startsWith("at "));
  return (telling.length > 0 ? telling.slice(0, 4) : lines.slice(-6)).join(" | ");
}
