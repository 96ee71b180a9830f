import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { NamespacedUnregister } from "tsx/esm/api";
import type { z } from "zod";
import { type Diagnostic, WirefeedError, describeValue } from "../errors.ts";
import { type Config, configSchema } from "./schema.ts";

/**
 * One tsx loader for every config load in the process. tsx's `tsImport()` registers a new loader
 * on each call that is never removed, which made each load slower than the last (preview
 * reloads the config after every edit).
 */
let configLoader: Promise<NamespacedUnregister> | undefined;

/** Config file names looked for in the project root, in this order. */
export const CONFIG_FILES = ["wirefeed.config.ts", "wirefeed.config.mjs", "wirefeed.config.js"];

/** Values given on the command line; each wins over the same key in the file. */
export interface ConfigOverrides {
  siteUrl?: string;
  articlesDir?: string;
  outDir?: string;
}

const FLAG_FOR: Record<string, string> = {
  siteUrl: "--site-url",
  articlesDir: "--articles",
  outDir: "--out",
};

export interface LoadedConfig {
  config: Readonly<Config>;
  /** Absolute project root: the folder that holds the config file. */
  root: string;
  /** Config file relative to the root, for messages. */
  file: string;
  /** sha256 (hex) of the config file's bytes: part of the build index's key. */
  sourceHash: string;
}

/** Find, import and validate the config file; flags override the file. */
export async function loadConfig(
  root: string,
  options: { configPath?: string; overrides?: ConfigOverrides } = {},
): Promise<LoadedConfig> {
  const absolute = options.configPath
    ? path.resolve(root, options.configPath)
    : CONFIG_FILES.map((name) => path.join(root, name)).find((candidate) => existsSync(candidate));
  if (!absolute || !existsSync(absolute)) {
    throw new WirefeedError(
      "CONFIG_MISSING",
      options.configPath
        ? `config file not found: ${options.configPath}`
        : `no config file: expected one of ${CONFIG_FILES.join(", ")} in ${root}`,
      { hint: "create wirefeed.config.ts (see README, \"Site settings\"), or pass --config FILE" },
    );
  }
  const projectRoot = path.dirname(absolute);
  const file = path.relative(projectRoot, absolute).split(path.sep).join("/");

  let raw: unknown;
  let sourceHash = "";
  try {
    const bytes = await readFile(absolute);
    sourceHash = createHash("sha256").update(bytes).digest("hex");
    const module = (await importConfig(absolute, bytes.toString("utf8"), sourceHash, projectRoot)) as { default?: unknown };
    raw = module.default;
    // A config compiled as CommonJS (no "type": "module" nearby) arrives wrapped once more.
    if (isRecord(raw) && isRecord(raw.default) && Object.keys(raw).every((key) => key === "default" || key === "__esModule")) {
      raw = raw.default;
    }
  } catch (cause) {
    throw new WirefeedError("CONFIG_INVALID", `cannot load the config: ${(cause as Error).message}`, {
      file,
      cause,
    });
  }
  if (!isRecord(raw)) {
    throw new WirefeedError("CONFIG_INVALID", `expected a default export with the site settings, got ${describeValue(raw)}`, {
      file,
      hint: "end the file with: export default defineConfig({ … })",
    });
  }
  const merged: Record<string, unknown> = { ...raw };
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) merged[key] = value;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const diagnostics = parsed.error.issues.flatMap((issue) => describeIssue(issue, file, options.overrides ?? {}, merged));
    throw new WirefeedError("CONFIG_INVALID", `the config is invalid (${diagnostics.length === 1 ? "1 problem" : `${diagnostics.length} problems`}); nothing was built`, {
      file,
      diagnostics,
    });
  }
  return { config: Object.freeze(parsed.data), root: projectRoot, file, sourceHash };
}

/** Where compiled copies of a TypeScript config are kept, relative to the project root. */
export const COMPILED_CONFIG_DIR = ".wirefeed-cache/config";

/**
 * A config that imports no file of its own (no relative import, no `import.meta`, no CommonJS):
 * compiled alone, it does exactly what it does in place, so a compiled copy can stand in for it.
 */
const NOT_SELF_CONTAINED = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'`]\.{1,2}\/|\bimport\.meta\b|\brequire\s*\(|\b__dirname\b|\b__filename\b/;

/**
 * Import the config module. tsx's loader costs about 170 ms to start (issue 7: a no-op build has
 * 500 ms in all), so a self-contained `.ts` config is compiled once with esbuild (what tsx itself
 * uses) to `.wirefeed-cache/config/<sha256>.mjs` and imported natively from there; the digest of
 * the source names the copy, so an edited config is compiled afresh. Any other config, or any
 * failure to compile or store the copy, goes through tsx as before. Modules are cached by URL, so
 * the digest in the query (or the name) loads an edited config afresh and reuses an unchanged one.
 */
async function importConfig(absolute: string, source: string, hash: string, root: string): Promise<unknown> {
  if (absolute.endsWith(".ts") && !NOT_SELF_CONTAINED.test(source)) {
    const compiled = path.join(root, ...COMPILED_CONFIG_DIR.split("/"), `${hash}.mjs`);
    if (existsSync(compiled) || (await compileConfig(source, absolute, compiled))) {
      return import(pathToFileURL(compiled).href);
    }
  }
  const url = pathToFileURL(absolute);
  url.search = `?v=${hash.slice(0, 16)}`;
  // tsx loads the file as an ES module whatever the surrounding package.json says, so a
  // config in a folder without "type": "module" works too.
  // tsx is imported on the first load, not at the top, so --version and --help never pay for it.
  // The promise is kept (set synchronously), so concurrent first loads share one loader.
  configLoader ??= import("tsx/esm/api").then(({ register }) => register({ namespace: "wirefeed-config" }));
  return (await configLoader).import(url.href, import.meta.url);
}

/** Compile a TypeScript config to an ES module file; false when it cannot (then tsx loads it). */
async function compileConfig(source: string, sourcefile: string, target: string): Promise<boolean> {
  const temp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const { transform } = await import("esbuild");
    const { code } = await transform(source, { loader: "ts", format: "esm", target: "node20", sourcefile, sourcemap: "inline" });
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(temp, code);
    await rename(temp, target);
    // Copies of earlier versions of the config are of no more use.
    for (const name of await readdir(path.dirname(target))) {
      if (name.endsWith(".mjs") && name !== path.basename(target)) await rm(path.join(path.dirname(target), name), { force: true });
    }
    return true;
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
    return existsSync(target);
  }
}

function describeType(expected: string): string {
  return ({ number: "a number", boolean: "true or false", string: "text", array: "a list", object: "a mapping" } as Record<string, string>)[expected] ?? expected;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeIssue(
  issue: z.core.$ZodIssue,
  file: string,
  overrides: ConfigOverrides,
  merged: Record<string, unknown>,
): Diagnostic[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      severity: "error" as const,
      code: "config-unknown-key",
      file,
      field: [...issue.path, key].join("."),
      message: `unknown key (known keys: ${Object.keys(configSchema.shape).join(", ")})`,
    }));
  }
  const top = String(issue.path[0] ?? "");
  const flag = FLAG_FOR[top];
  const fromFlag = flag !== undefined && overrides[top as keyof ConfigOverrides] !== undefined;
  const field = fromFlag ? flag : issue.path.map(String).join(".");
  const found = issue.path.reduce<unknown>((value, key) => (isRecord(value) ? value[String(key)] : undefined), merged);
  // Our own messages already say what was expected and found; zod's generic ones get that added.
  const message = issue.message.startsWith("expected")
    ? issue.message
    : `expected ${issue.code === "invalid_type" ? describeType(issue.expected) : issue.message.replace(/^Invalid input: /, "")}, got ${describeValue(found)}`;
  return [{ severity: "error", code: "config-invalid", ...(fromFlag ? {} : { file }), field, message }];
}
