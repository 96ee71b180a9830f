import type { CliIo } from "./io.ts";
import { isCi } from "./style.ts";

/** A build shorter than this shows no bar at all. */
export const PROGRESS_DELAY_MS = 500;
const FRAME_MS = 100;
const WIDTH = 24;

export interface Progress {
  /** Switch to a determinate bar. */
  update: (done: number, total: number) => void;
  /** Stop drawing and erase the bar. */
  stop: () => void;
}

/** Whether a progress bar may be drawn at all: stderr is a terminal, and this is no CI log. */
export function isProgressWanted(io: CliIo): boolean {
  return io.isTTY && !isCi(io.env) && io.env.TERM !== "dumb";
}

/**
 * A one-line bar on stderr that appears only when the work takes longer than the delay, and
 * erases itself when done, so quick builds and logs never see it.
 */
export function startProgress(io: CliIo, label: string): Progress {
  if (!isProgressWanted(io)) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  let drawn = false;
  let fraction: number | undefined;
  let frame = 0;
  let interval: NodeJS.Timeout | undefined;
  const draw = () => {
    let bar: string;
    if (fraction === undefined) {
      const span = 6;
      const travel = WIDTH - span;
      const position = Math.abs((frame % (2 * travel)) - travel);
      bar = " ".repeat(travel - position) + "=".repeat(span) + " ".repeat(position);
    } else {
      const filled = Math.round(fraction * WIDTH);
      bar = "=".repeat(filled) + " ".repeat(WIDTH - filled);
    }
    frame++;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.stderr(`\r${label} [${bar}] ${fraction === undefined ? "" : `${Math.round(fraction * 100)}% `}${seconds} s`);
    drawn = true;
  };
  const timeout = setTimeout(() => {
    draw();
    interval = setInterval(draw, FRAME_MS);
  }, io.progressDelayMs ?? PROGRESS_DELAY_MS);
  return {
    update: (done, total) => {
      fraction = total > 0 ? Math.min(1, done / total) : undefined;
    },
    stop: () => {
      clearTimeout(timeout);
      if (interval) clearInterval(interval);
      if (drawn) io.stderr("\r\u001b[2K");
    },
  };
}
