import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, realpathSync } from "node:fs";
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
  options: {
    configPath?: string;
    overrides?: ConfigOverrides;
    /** Use (and make) a compiled copy of a self-contained TypeScript config. Default true; `--no-cache` turns it off. */
    compile?: boolean;
  } = {},
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
    const module = (await importConfig(absolute, bytes.toString("utf8"), sourceHash, projectRoot, options.compile ?? true)) as { default?: unknown };
    raw = module.default;
    // A config compiled as CommonJS (no "type": "module" nearby) arrives wrapped once more.
    // Its other named exports (`export const x`) sit beside `default` then.
    if (isRecord(raw) && isRecord(raw.default) && (raw.__esModule === true || Object.keys(raw).every((key) => key === "default" || key === "__esModule"))) {
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
 * Bundled output that still depends on where it runs from (`import.meta`, CommonJS `require`, a
 * bundled CommonJS module): loaded from another folder, or natively, it would not do what it does
 * in place, so tsx loads the source instead.
 */
const PLACE_DEPENDENT = /\bimport\.meta\b|\brequire\s*\(|__require\s*\(|\b__commonJS\b|\b__dirname\b|\b__filename\b/;

/** What a compiled config was made from besides the config file: its local imports and their digests. */
interface CompiledInputs {
  inputs: Record<string, string>;
}

const digestFile = (file: string): string | undefined => {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
};

/**
 * Import the config module. tsx's loader costs about 170 ms to start (issue 7: a no-op build has
 * 500 ms in all), so a `.ts` config is bundled once with esbuild (what tsx itself uses), with its
 * local imports and without npm packages, into `.wirefeed-cache/config/<sha256>.mjs`, which is
 * imported natively. `<sha256>.json` lists the local files bundled in, with their digests: when one
 * changed, the config is bundled again. A config whose output depends on its place (`import.meta`)
 * gets an empty `<sha256>.tsx` instead, which says that tsx loads it, as does any failure to bundle
 * or store. Modules are cached by URL, so a digest in the URL loads an edited config afresh and
 * reuses an unchanged one.
 */
async function importConfig(absolute: string, source: string, hash: string, root: string, compile: boolean): Promise<unknown> {
  if (compile && absolute.endsWith(".ts")) {
    const base = path.join(root, ...COMPILED_CONFIG_DIR.split("/"), hash);
    let digest = existsSync(`${base}.tsx`) ? undefined : inputsDigest(base, root);
    if (digest === undefined && !existsSync(`${base}.tsx`)) digest = await compileConfig(absolute, source, base, root);
    if (digest !== undefined) {
      const url = pathToFileURL(`${base}.mjs`);
      url.search = `?v=${digest.slice(0, 16)}`;
      try {
        return await import(url.href);
      } catch (error) {
        // A package Node cannot import as the bundle does (a .ts workspace package, JSON without
        // an import attribute), or a config that throws: from now on tsx loads it, as in place.
        await writeFile(`${base}.tsx`, "").catch(() => undefined);
        if (!isLinkError(error)) throw error;
      }
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

/** An import that failed before the config ran: a module not found or not importable natively. */
function isLinkError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^ERR_(MODULE_NOT_FOUND|UNKNOWN_FILE_EXTENSION|IMPORT_ATTRIBUTE_MISSING|IMPORT_ASSERTION_TYPE_MISSING|UNSUPPORTED_DIR_IMPORT|REQUIRE_ESM)$/.test(code);
}

/** A digest of the bundle's local inputs when the bundle is there and every input is as bundled; else undefined. */
function inputsDigest(base: string, root: string): string | undefined {
  if (!existsSync(`${base}.mjs`)) return undefined;
  try {
    const { inputs } = JSON.parse(readFileSync(`${base}.json`, "utf8")) as CompiledInputs;
    const hash = createHash("sha256");
    for (const [file, digest] of Object.entries(inputs)) {
      if (digestFile(path.resolve(root, file)) !== digest) return undefined;
      hash.update(`${file}\u0000${digest}\n`);
    }
    return hash.digest("hex");
  } catch {
    return undefined;
  }
}

/**
 * Bundle a TypeScript config into `<base>.mjs` with the list of its inputs; returns the inputs'
 * digest, or undefined when tsx is to load it (then `<base>.tsx` says so, unless esbuild failed,
 * for example on a syntax error, which tsx then reports as it always has). Earlier copies are
 * removed: only the current config's are of use.
 */
async function compileConfig(absolute: string, source: string, base: string, root: string): Promise<string | undefined> {
  const dir = path.dirname(base);
  let result: { code: string; inputs: Record<string, string> } | undefined;
  try {
    const esbuild = await import("esbuild");
    // Each local file as esbuild reads it, digested from the same bytes: a file saved again while
    // the bundle is made can never leave a bundle of the old bytes under the new digest.
    const read = new Map<string, string>();
    const LOADERS: Record<string, "ts" | "tsx" | "js" | "jsx" | "json"> = { ".ts": "ts", ".mts": "ts", ".cts": "ts", ".tsx": "tsx", ".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "jsx", ".json": "json" };
    const digestPlugin = {
      name: "wirefeed-digest",
      setup(build: { onLoad: (options: { filter: RegExp }, callback: (args: { path: string; namespace: string }) => Promise<{ contents: Uint8Array; loader: "ts" | "tsx" | "js" | "jsx" | "json" } | undefined>) => void }) {
        build.onLoad({ filter: /.*/ }, async (args) => {
          const loader = LOADERS[path.extname(args.path)];
          if (args.namespace !== "file" || !loader) return undefined;
          const contents = await readFile(args.path);
          read.set(args.path, createHash("sha256").update(contents).digest("hex"));
          return { contents, loader };
        });
      },
    };
    const built = await esbuild.build({
      // The bytes the digest was made from, not the file as it may be by now; imports resolve from
      // the file's real folder, as Node resolves them for a symlinked config.
      stdin: { contents: source, resolveDir: path.dirname(realpathSync(absolute)), sourcefile: absolute, loader: "ts" },
      plugins: [digestPlugin],
      absWorkingDir: root,
      bundle: true,
      packages: "external",
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: "inline",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const code = built.outputFiles[0]?.text ?? "";
    const inputs: Record<string, string> = {};
    for (const file of Object.keys(built.metafile.inputs)) {
      const full = path.resolve(root, file);
      if (file === "<stdin>" || full === absolute) continue;
      const digest = read.get(full);
      // An input esbuild read without the plugin (an unusual loader): no copy, tsx loads the config.
      if (digest === undefined) return undefined;
      inputs[file] = digest;
    }
    result = PLACE_DEPENDENT.test(code.replace(/\/\/# sourceMappingURL=.*$/m, "")) ? undefined : { code, inputs };
  } catch {
    return undefined;
  }
  try {
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) {
      if (!name.startsWith(path.basename(base))) await rm(path.join(dir, name), { force: true });
    }
    const write = async (target: string, contents: string) => {
      const temp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(temp, contents);
      await rename(temp, target);
    };
    if (!result) {
      await write(`${base}.tsx`, "");
      return undefined;
    }
    await write(`${base}.json`, `${JSON.stringify({ inputs: result.inputs } satisfies CompiledInputs)}\n`);
    await write(`${base}.mjs`, result.code);
    return inputsDigest(base, root);
  } catch {
    return undefined;
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
