import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { z } from "zod";
import { type Diagnostic, WirefeedError, describeValue } from "../errors.ts";
import { type Config, configSchema } from "./schema.ts";

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
}

/** Find, import and validate the config file; flags override the file. */
export async function loadConfig(
  root: string,
  options: { configPath?: string; overrides?: ConfigOverrides; reload?: boolean } = {},
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
  try {
    const url = pathToFileURL(absolute);
    // A query string makes Node load the file again after an edit (preview reloads it).
    if (options.reload) url.search = `?t=${Date.now()}`;
    const module = (await import(url.href)) as { default?: unknown };
    raw = module.default;
  } catch (cause) {
    throw new WirefeedError("CONFIG_INVALID", `cannot load the config: ${(cause as Error).message}`, {
      file,
      cause,
    });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new WirefeedError("CONFIG_INVALID", `expected a default export with the site settings, got ${describeValue(raw)}`, {
      file,
      hint: "end the file with: export default defineConfig({ … })",
    });
  }
  const merged: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) merged[key] = value;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const diagnostics = parsed.error.issues.flatMap((issue) => describeIssue(issue, file, options.overrides ?? {}));
    throw new WirefeedError("CONFIG_INVALID", `the config has ${diagnostics.length} problem(s)`, {
      file,
      diagnostics,
    });
  }
  return { config: Object.freeze(parsed.data), root: projectRoot, file };
}

function describeIssue(issue: z.core.$ZodIssue, file: string, overrides: ConfigOverrides): Diagnostic[] {
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
  const message =
    issue.code === "invalid_type" && issue.input === undefined && !issue.message.startsWith("expected")
      ? `required, expected ${issue.expected}`
      : issue.message.replace(/^Invalid input: /, "");
  return [{ severity: "error", code: "config-invalid", ...(fromFlag ? {} : { file }), field, message }];
}
