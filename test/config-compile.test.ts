import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COMPILED_CONFIG_DIR, loadConfig } from "../src/config/load.ts";
import { BASE_CONFIG, makeTempSite } from "./helpers.ts";

/**
 * Issue 7: tsx's loader costs about 170 ms to start, so wirefeed.config.ts is bundled once
 * (esbuild, with its own imports, without npm packages) into .wirefeed-cache/config/<sha256>.mjs
 * and imported natively. These tests pin when that copy is used, that it behaves as the source
 * does (also after a file it imports changed), and when it is not made.
 */

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A config with TypeScript-only syntax, so that loading it untranspiled would fail. */
function typedConfig(title: string): string {
  return `type Settings = { title: string };\nconst extra: Settings = { title: ${JSON.stringify(title)} };\nexport default { ...${JSON.stringify(BASE_CONFIG)}, ...extra };\n`;
}

async function compiledCopies(dir: string): Promise<string[]> {
  return (await readdir(path.join(dir, COMPILED_CONFIG_DIR)).catch(() => [] as string[])).sort();
}

describe("the compiled copy of wirefeed.config.ts (issue 7)", () => {
  it("compiles a self-contained config once, loads it from the copy, and follows edits", async () => {
    const dir = await makeTempSite({});
    const first = typedConfig("Compiled Once");
    await writeFile(path.join(dir, "wirefeed.config.ts"), first);
    const loaded = await loadConfig(dir);
    expect(loaded.config.title).toBe("Compiled Once");
    expect(await compiledCopies(dir)).toEqual([`${sha256(first)}.json`, `${sha256(first)}.mjs`]);

    // An edit is a new digest: compiled afresh, and the old copy removed.
    const second = typedConfig("Edited");
    await writeFile(path.join(dir, "wirefeed.config.ts"), second);
    expect((await loadConfig(dir)).config.title).toBe("Edited");
    expect(await compiledCopies(dir)).toEqual([`${sha256(second)}.json`, `${sha256(second)}.mjs`]);
  });

  it("loads the copy when there is one: the copy, not the source, is what runs", async () => {
    const dir = await makeTempSite({});
    const source = typedConfig("From The Source");
    await writeFile(path.join(dir, "wirefeed.config.ts"), source);
    // A copy made earlier for these exact bytes (here with another title, to tell them apart).
    const copy = path.join(dir, COMPILED_CONFIG_DIR, `${sha256(source)}.mjs`);
    await mkdir(path.dirname(copy), { recursive: true });
    await writeFile(copy, `export default { ...${JSON.stringify(BASE_CONFIG)}, title: "From The Copy" };\n`);
    await writeFile(copy.replace(/\.mjs$/, ".json"), '{ "inputs": {} }\n');
    expect((await loadConfig(dir)).config.title).toBe("From The Copy");
    // compile: false (--no-cache) never looks at it.
    expect((await loadConfig(dir, { compile: false })).config.title).toBe("From The Source");
  });

  it("bundles the config's own imports in, and bundles again when one of them changes", async () => {
    const typed = await makeTempSite({ "types.ts": "export type Settings = { title: string };\n" });
    const source = `import type { Settings } from "./types.ts";\nconst extra: Settings = { title: "Type Only" };\nexport default { ...${JSON.stringify(BASE_CONFIG)}, ...extra };\n`;
    await writeFile(path.join(typed, "wirefeed.config.ts"), source);
    expect((await loadConfig(typed)).config.title).toBe("Type Only");
    expect(await compiledCopies(typed)).toEqual([`${sha256(source)}.json`, `${sha256(source)}.mjs`]);

    const dir = await makeTempSite({ "site-title.ts": 'export const title: string = "From A Module";\n' });
    const importing = `import { title } from "./site-title.ts";\nexport default { ...${JSON.stringify(BASE_CONFIG)}, title };\n`;
    await writeFile(path.join(dir, "wirefeed.config.ts"), importing);
    expect((await loadConfig(dir)).config.title).toBe("From A Module");
    expect(JSON.parse(await readFile(path.join(dir, COMPILED_CONFIG_DIR, `${sha256(importing)}.json`), "utf8"))).toEqual({
      inputs: { "site-title.ts": sha256('export const title: string = "From A Module";\n') },
    });
    // The config file is the same; the module it imports is not: bundled again, the new title read.
    await writeFile(path.join(dir, "site-title.ts"), 'export const title: string = "Edited Module";\n');
    expect((await loadConfig(dir)).config.title).toBe("Edited Module");
  });

  it("leaves a config that depends on its place (import.meta) to tsx", async () => {
    const dir = await makeTempSite({});
    const source = `export const place = import.meta.url;\nexport default { ...${JSON.stringify(BASE_CONFIG)}, title: "In Place" };\n`;
    await writeFile(path.join(dir, "wirefeed.config.ts"), source);
    expect((await loadConfig(dir)).config.title).toBe("In Place");
    expect(await compiledCopies(dir)).toEqual([`${sha256(source)}.tsx`]);
  });

  it("leaves a config that bundles CommonJS (require) to tsx", async () => {
    const dir = await makeTempSite({ "helper.cjs": 'const path = require("node:path");\nmodule.exports = { title: path.basename("/x/From CommonJS") };\n' });
    const source = `import helper from "./helper.cjs";\nexport default { ...${JSON.stringify(BASE_CONFIG)}, title: helper.title };\n`;
    await writeFile(path.join(dir, "wirefeed.config.ts"), source);
    expect((await loadConfig(dir)).config.title).toBe("From CommonJS");
    expect(await compiledCopies(dir)).toEqual([`${sha256(source)}.tsx`]);
  });

  it("reports a syntax error the same way whether or not it could be compiled", async () => {
    const dir = await makeTempSite({});
    await writeFile(path.join(dir, "wirefeed.config.ts"), "export default { title: ;\n");
    const failure = (compile: boolean) =>
      loadConfig(dir, { compile }).then(
        () => undefined,
        (error: { code: string; file?: string }) => ({ code: error.code, file: error.file }),
      );
    expect(await failure(true)).toEqual({ code: "CONFIG_INVALID", file: "wirefeed.config.ts" });
    expect(await failure(false)).toEqual({ code: "CONFIG_INVALID", file: "wirefeed.config.ts" });
    expect(await compiledCopies(dir)).toEqual([]);
  });
});
