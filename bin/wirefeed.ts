#!/usr/bin/env -S node --import=tsx
// The dev entry (npm run wirefeed, npm run build…); `npm ci` compiles it to lib/wirefeed.mjs, the
// package's bin. main.ts loads each command when it runs, so --version and --help start fast.
import { main } from "../src/cli/main.ts";

const args = process.argv.slice(2);

// Ctrl-C ends preview through the signal, so it closes its server cleanly; other commands keep
// Node's default (exit at once).
const interrupt = new AbortController();
if (args[0] === "preview") {
  process.once("SIGINT", () => interrupt.abort());
  process.once("SIGTERM", () => interrupt.abort());
}

/**
 * Write to `stream` until its reader has gone (`wirefeed check … | head` closes the pipe: EPIPE),
 * then nothing more, so the command finishes with its own exit code instead of a crash.
 */
function writeUntilClosed(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

process.exitCode = await main(args, {
  stdout: writeUntilClosed(process.stdout),
  stderr: writeUntilClosed(process.stderr),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stderr.isTTY === true,
  stdoutIsTTY: process.stdout.isTTY === true,
  signal: interrupt.signal,
});
