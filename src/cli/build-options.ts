import path from "node:path";
import { type LoadedConfig, loadConfig } from "../config/load.ts";
import type { BuildOptions } from "../pipeline.ts";
import { collectGarbage } from "./collect-garbage.ts";
import type { ParsedFlags } from "./parse-flags.ts";

/** The pipeline options the shared flags stand for (--config, --articles, --out, --site-url, --drafts, --future). */
export function toBuildOptions(values: ParsedFlags["values"], cwd: string, now: Date | undefined): BuildOptions {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const configPath = text("config");
  return {
    cwd,
    ...(configPath ? { configPath } : {}),
    overrides: { siteUrl: text("site-url"), articlesDir: text("articles"), outDir: text("out") },
    ...(now ? { now } : {}),
    drafts: values.drafts === true,
    future: values.future === true,
    ...(text("previous") !== undefined ? { previous: text("previous") as string } : {}),
    ...(values["allow-id-change"] === true ? { allowIdChange: true } : {}),
    ...(values["no-cache"] === true ? { cache: false } : {}),
    collectGarbage,
  };
}

/** The config the build will use: known before building, to read the previous feed and name dist/. */
export async function loadBuildConfig(options: BuildOptions): Promise<LoadedConfig> {
  return loadConfig(path.resolve(options.cwd ?? "."), {
    ...(options.configPath ? { configPath: options.configPath } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    compile: options.cache !== false,
  });
}

/** A path for messages: relative to the current folder when inside it, with forward slashes. */
export function displayPath(cwd: string, absolute: string): string {
  const relative = path.relative(cwd, absolute);
  if (relative === "") return ".";
  return (relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative).split(path.sep).join("/");
}
