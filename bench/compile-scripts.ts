/**
 * What the bench runs, compiled first, so that every measured process starts the same way, with
 * plain `node` and no TypeScript loader:
 * - wirefeed: `lib/wirefeed.mjs`, the CLI as `npm ci` builds it (the package's `bin`), compiled
 *   again from the current source by scripts/compile-cli.mjs;
 * - the naive script and the floors: bundled by esbuild (their npm packages stay imports) into
 *   node_modules/.cache/wirefeed-bench/, where Node finds those packages.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import * as esbuild from "esbuild";

const REPO = path.resolve(import.meta.dirname, "..");
export const COMPILED_DIR = path.join(REPO, "node_modules", ".cache", "wirefeed-bench");
export const WIREFEED_BIN = path.join(REPO, "lib", "wirefeed.mjs");

/** The bench's own scripts that run as measured children. */
export const BASELINES = ["naive", "floor-read", "floor-render"] as const;

export function compiledScript(name: (typeof BASELINES)[number]): string {
  return path.join(COMPILED_DIR, `${name}.mjs`);
}

export async function compileScripts(): Promise<void> {
  execFileSync(process.execPath, [path.join(REPO, "scripts", "compile-cli.mjs")], { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
  await esbuild.build({
    entryPoints: Object.fromEntries(BASELINES.map((name) => [name, path.join(REPO, "bench", `${name}.ts`)])),
    outdir: COMPILED_DIR,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
  });
}
