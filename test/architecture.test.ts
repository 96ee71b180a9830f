import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../src");

/** Every source file (relative to src/, forward slashes) with the modules it imports. */
function readImports(): Map<string, string[]> {
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((file) => file.endsWith(".ts"));
  const map = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(path.join(SRC, file), "utf8");
    const specifiers = [
      ...[...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gms)].map((match) => match[1] as string),
      // Dynamic imports (modules loaded only when needed) obey the same rules, and so do modules
      // required on first use: `require("x")`, or `createRequire(import.meta.url)("x")`.
      ...[...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((match) => match[1] as string),
      ...[...text.matchAll(/(?:\brequire|\bcreateRequire\([^)]*\))\(\s*"([^"]+)"\s*\)/g)].map((match) => match[1] as string),
    ];
    map.set(file.split(path.sep).join("/"), specifiers);
  }
  return map;
}

/** Resolve a relative import to a path under src/, or undefined for a package. */
function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
}

const LEAVES = new Set(["errors.ts", "dates.ts", "fields.ts", "split-json-feed.ts", "worker-entry.ts", "model/types.ts"]);
const STAGES = ["config", "content", "media", "render", "cache", "model", "state", "formats", "gate", "previous", "schedule", "output", "check", "ping"];
const folderOf = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : "");

/** Each third-party package and the only files (or folders, ending in /) that may import it. */
const IMPORTERS: Record<string, string[]> = {
  "gray-matter": ["content/load.ts"],
  "js-yaml": ["content/load.ts"],
  marked: ["render/markdown.ts"],
  "marked-gfm-heading-id": ["render/markdown.ts"],
  "marked-footnote": ["render/markdown.ts"],
  "sanitize-html": ["render/sanitize.ts"],
  feed: ["formats/rss.ts", "formats/atom.ts"],
  "file-type": ["media/resolve-media.ts"],
  esbuild: ["config/load.ts"],
  saxes: ["gate/", "check/"],
  ajv: ["gate/", "check/"],
  "ajv-formats": ["gate/", "check/"],
  zod: ["config/"],
  "tsx/esm/api": ["config/load.ts"],
};

describe("architecture (ARCHITECTURE.md, import rules)", () => {
  const imports = readImports();

  it("reads the source tree", () => {
    expect(imports.size).toBeGreaterThan(30);
    expect(imports.get("pipeline.ts")).toContain("./formats/registry.ts");
    // sanitize-html is required on first use, not imported.
    expect(imports.get("render/sanitize.ts")?.filter((specifier) => specifier === "sanitize-html")).toHaveLength(2);
  });

  it("each third-party package has its one importer", () => {
    const wrong: string[] = [];
    for (const [file, specifiers] of imports) {
      for (const specifier of specifiers) {
        if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
        const allowed = IMPORTERS[specifier];
        if (!allowed) wrong.push(`${file} imports ${specifier}, which has no entry in the importer table`);
        else if (!allowed.some((entry) => (entry.endsWith("/") ? file.startsWith(entry) : file === entry))) {
          wrong.push(`${file} imports ${specifier}; only ${allowed.join(", ")} may`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("leaf modules import only leaves, and stages never import each other", () => {
    const wrong: string[] = [];
    for (const [file, specifiers] of imports) {
      for (const specifier of specifiers) {
        const target = resolveLocal(file, specifier);
        if (target === undefined) continue;
        if (LEAVES.has(file)) {
          if (!LEAVES.has(target)) wrong.push(`leaf ${file} imports ${target}`);
          continue;
        }
        const stage = folderOf(file);
        if (STAGES.includes(stage) && !LEAVES.has(target) && folderOf(target) !== stage) {
          wrong.push(`stage ${file} imports ${target}: stages meet only in pipeline.ts`);
        }
        if (target.startsWith("documents/") && file !== "pipeline.ts" && !file.startsWith("documents/")) {
          wrong.push(`${file} imports ${target}: only pipeline.ts uses documents/`);
        }
        if (file === "pipeline.ts" && (target.startsWith("cli/") || target.startsWith("preview/"))) {
          wrong.push(`pipeline.ts imports ${target}: the pipeline knows nothing of the CLI`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("only cli/ reads process or prints", () => {
    const wrong: string[] = [];
    for (const file of imports.keys()) {
      if (file.startsWith("cli/")) continue;
      const text = readFileSync(path.join(SRC, file), "utf8");
      if (/\bprocess\.(?:env|argv|exit|stdout|stderr|cwd|exitCode)\b/.test(text)) wrong.push(`${file} reads process`);
      if (/\bconsole\.\w+\(/.test(text)) wrong.push(`${file} prints with console`);
    }
    expect(wrong).toEqual([]);
  });
});
