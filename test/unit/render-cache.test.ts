import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CACHE_FORMAT_VERSION, RENDER_PACKAGES, openRenderCache, renderCacheVersions } from "../../src/cache/render-cache.ts";

const VERSIONS = { wirefeed: "1.0.0", marked: "18.0.0", "marked-gfm-heading-id": "4.0.0", "marked-footnote": "1.0.0", "sanitize-html": "2.0.0" };
const ENTRY = { html: "<p>Ünïcode — “quotes” 😀 &amp; <a href=\"https://example.com/\">a link</a></p>\n<p>two</p>", text: "Ünïcode — “quotes” 😀 & a link\ntwo" };

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wirefeed-cache-unit-"));
  made.push(dir);
  return dir;
}
/** Every file under `dir`, relative, with forward slashes. */
function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as { isFile(): boolean; name: string; parentPath: string }[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

describe("the render cache key", () => {
  const cache = openRenderCache(tempDir(), { versions: VERSIONS });

  it("is a sha256 in hex, the same for the same inputs", () => {
    const key = cache.keyOf(["settings", "https://example.com/a/", "body"]);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cache.keyOf(["settings", "https://example.com/a/", "body"])).toBe(key);
    expect(openRenderCache(tempDir(), { versions: { ...VERSIONS } }).keyOf(["settings", "https://example.com/a/", "body"])).toBe(key);
  });

  it("changes with any input, and parts cannot run into each other", () => {
    const key = cache.keyOf(["settings", "https://example.com/a/", "body"]);
    expect(cache.keyOf(["settings", "https://example.com/b/", "body"])).not.toBe(key);
    expect(cache.keyOf(["settings", "https://example.com/a/", "body!"])).not.toBe(key);
    expect(cache.keyOf(["settings2", "https://example.com/a/", "body"])).not.toBe(key);
    expect(cache.keyOf(["ab", "c"])).not.toBe(cache.keyOf(["a", "bc"]));
  });

  it.each(Object.keys(VERSIONS))("changes with the version of %s", (name) => {
    const other = openRenderCache(tempDir(), { versions: { ...VERSIONS, [name]: "9.9.9" } });
    expect(other.keyOf(["x"])).not.toBe(cache.keyOf(["x"]));
  });

  it("by default is made of the installed versions of wirefeed and every render library", () => {
    const versions = renderCacheVersions();
    const installed = (name: string) => (JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    const own = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8")) as { version: string }).version;
    expect(versions).toEqual({ wirefeed: own, ...Object.fromEntries(RENDER_PACKAGES.map((name) => [name, installed(name)])) });
    expect(CACHE_FORMAT_VERSION).toBeGreaterThanOrEqual(1);
  });
});

describe("the render cache store", () => {
  it("writes an entry atomically into a shard folder and reads it back exactly", async () => {
    const dir = tempDir();
    const cache = openRenderCache(dir, { versions: VERSIONS });
    const key = cache.keyOf(["a"]);
    cache.write(key, ENTRY);
    await cache.flush();
    expect(listFiles(dir)).toEqual([`${key.slice(0, 2)}/${key}.render`]);
    expect(cache.stats).toMatchObject({ written: 1, writeFailures: 0 });

    const again = openRenderCache(dir, { versions: VERSIONS });
    expect(await again.readMany([key])).toEqual([ENTRY]);
    expect(again.stats).toMatchObject({ hits: 1, misses: 0 });
  });

  it("keeps empty and large entries apart from their neighbours", async () => {
    const dir = tempDir();
    const cache = openRenderCache(dir, { versions: VERSIONS });
    const entries = [
      { html: "", text: "" },
      { html: "<p>only html</p>", text: "" },
      { html: `<p>${"long ".repeat(50_000)}</p>`, text: "x\n".repeat(10_000) },
    ];
    const keys = entries.map((_, index) => cache.keyOf([String(index)]));
    entries.forEach((entry, index) => cache.write(keys[index] as string, entry));
    await cache.flush();
    expect(await openRenderCache(dir, { versions: VERSIONS }).readMany(keys)).toEqual(entries);
  });

  it("misses a key with no entry, and any key when the folder does not exist", async () => {
    const dir = tempDir();
    const cache = openRenderCache(dir, { versions: VERSIONS });
    cache.write(cache.keyOf(["a"]), ENTRY);
    await cache.flush();
    expect(await cache.readMany([cache.keyOf(["b"]), cache.keyOf(["a"])])).toEqual([undefined, ENTRY]);
    const absent = openRenderCache(path.join(dir, "never", "made"), { versions: VERSIONS });
    expect(await absent.readMany([absent.keyOf(["a"])])).toEqual([undefined]);
    expect(absent.stats).toMatchObject({ hits: 0, misses: 1 });
  });

  it("misses an entry made by other library versions", async () => {
    const dir = tempDir();
    const before = openRenderCache(dir, { versions: VERSIONS });
    before.write(before.keyOf(["a"]), ENTRY);
    await before.flush();
    const after = openRenderCache(dir, { versions: { ...VERSIONS, marked: "19.0.0" } });
    expect(await after.readMany([after.keyOf(["a"])])).toEqual([undefined]);
  });

  it.each([
    ["an empty file", () => ""],
    ["text that is not an entry", () => "hello"],
    ["a truncated entry", (whole: string) => whole.slice(0, -5)],
    ["an entry with bytes added", (whole: string) => `${whole}xyz`],
    ["an entry of another key", (whole: string) => whole.replace(/ [0-9a-f]{64} /, ` ${"0".repeat(64)} `)],
    ["an entry of another format version", (whole: string) => whole.replace(` ${CACHE_FORMAT_VERSION} `, " 999 ")],
    ["a header with lengths that are not numbers", (whole: string) => whole.replace(/ \d+ \d+ ([0-9a-f]{32})\n/, " -1 x $1\n")],
    ["an entry with one character changed in place", (whole: string) => whole.replace("<p>two</p>", "<p>twx</p>")],
    ["an entry with a wrong checksum", (whole: string) => whole.replace(/ [0-9a-f]{32}\n/, ` ${"0".repeat(32)}\n`)],
    ["bytes that are not UTF-8", () => Buffer.from([0x77, 0xff, 0xfe, 0x0a, 0xc3])],
  ])("treats %s as a miss, never an error", async (_name, damage: (whole: string) => string | Buffer) => {
    const dir = tempDir();
    const cache = openRenderCache(dir, { versions: VERSIONS });
    const key = cache.keyOf(["a"]);
    cache.write(key, ENTRY);
    await cache.flush();
    const file = path.join(dir, key.slice(0, 2), `${key}.render`);
    writeFileSync(file, damage(readFileSync(file, "utf8")));
    const reader = openRenderCache(dir, { versions: VERSIONS });
    expect(await reader.readMany([key])).toEqual([undefined]);
    expect(reader.stats).toMatchObject({ hits: 0, misses: 1 });
  });

  it("treats an unreadable entry (a folder in its place) as a miss", async () => {
    const dir = tempDir();
    const cache = openRenderCache(dir, { versions: VERSIONS });
    const key = cache.keyOf(["a"]);
    mkdirSync(path.join(dir, key.slice(0, 2), `${key}.render`), { recursive: true });
    expect(await cache.readMany([key, "not a key"])).toEqual([undefined, undefined]);
  });

  it("replaces an entry in place, so a damaged one is mended by the next write", async () => {
    const dir = tempDir();
    const cache = openRenderCache(dir, { versions: VERSIONS });
    const key = cache.keyOf(["a"]);
    mkdirSync(path.join(dir, key.slice(0, 2)), { recursive: true });
    writeFileSync(path.join(dir, key.slice(0, 2), `${key}.render`), "damaged");
    cache.write(key, ENTRY);
    await cache.flush();
    expect(await openRenderCache(dir, { versions: VERSIONS }).readMany([key])).toEqual([ENTRY]);
    expect(listFiles(dir)).toHaveLength(1);
  });

  it("never fails when it cannot write, and leaves no temp files", async () => {
    const parent = tempDir();
    writeFileSync(path.join(parent, "file"), "a regular file");
    const cache = openRenderCache(path.join(parent, "file", "cache"), { versions: VERSIONS });
    for (let index = 0; index < 20; index++) cache.write(cache.keyOf([String(index)]), ENTRY);
    await expect(cache.flush()).resolves.toBeUndefined();
    expect(cache.stats.written).toBe(0);
    expect(cache.stats.writeFailures).toBeGreaterThanOrEqual(1);
    expect(listFiles(parent)).toEqual(["file"]);
  });

  it("does not cache a string that UTF-8 cannot carry (a lone surrogate)", async () => {
    const dir = tempDir();
    const cache = openRenderCache(dir, { versions: VERSIONS });
    cache.write(cache.keyOf(["a"]), { html: "<p>\uD800</p>", text: "\uD800" });
    await cache.flush();
    expect(existsSync(dir) ? listFiles(dir) : []).toEqual([]);
  });

  it("flushes at once when nothing is queued, and ignores keys that are not keys", async () => {
    const dir = tempDir();
    const cache = openRenderCache(dir, { versions: VERSIONS });
    await expect(cache.flush()).resolves.toBeUndefined();
    cache.write("../../escape", ENTRY);
    await cache.flush();
    expect(listFiles(dir)).toEqual([]);
  });

  it("wants an absolute folder", () => {
    expect(() => openRenderCache("relative/cache")).toThrow(/absolute/);
  });
});
