/** Everything the CLI takes from the process, injected so tests can run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stderr is a terminal (colour, progress). */
  isTTY: boolean;
  /** Whether stdout is a terminal (colour of `check` findings). Default false. */
  stdoutIsTTY?: boolean;
  /** Aborted on Ctrl-C: `preview` then closes its server and `main` resolves. */
  signal?: AbortSignal;
  /** How long a build runs before the progress bar appears, in ms. Default 500; tests shorten it. */
  progressDelayMs?: number;
}
