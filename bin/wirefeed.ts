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

process.exitCode = await main(args, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stderr.isTTY === true,
  stdoutIsTTY: process.stdout.isTTY === true,
  signal: interrupt.signal,
});
