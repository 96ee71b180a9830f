/**
 * wirefeed's public API: build the feeds from code, and type a config file.
 * ```ts
 * import { build } from "wirefeed";
 * const result = await build({ cwd: "site", now: new Date("2025-05-04T00:00:00Z") });
 * ```
 */
export { build } from "./pipeline.ts";
export type { BuildOptions, BuildResult } from "./pipeline.ts";
export { defineConfig } from "./config/schema.ts";
export type { Config, ConfigInput } from "./config/schema.ts";
export { WirefeedError } from "./errors.ts";
export type { Diagnostic, ErrorCode } from "./errors.ts";
export type { Author, FeedItem, FeedModel, OutputFile } from "./model/types.ts";
