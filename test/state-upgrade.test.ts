import { cp, readFile, readdir, rm, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { build } from "../src/pipeline.ts";
import { FIXED_NOW, article, makeTempDir, makeTempSite } from "./helpers.ts";

/**
 * Issue 7 changed the digest the state file records for each feed's items (`hashItems`, "2:…").
 * The build before the change is played by recording digests of the first kind (`hashItemsV1`)
 * wherever the build records state, and a build stamp of the version before; its build index and
 * its stamp then vouch for what it made, as the old code's did.
 */
const legacy = vi.hoisted(() => ({ on: false }));
vi.mock("../src/cache/build-index.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/cache/build-index.ts")>();
  return {
    ...actual,
    get BUILD_STAMP_VERSION() {
      return legacy.on ? 3 : actual.BUILD_STAMP_VERSION;
    },
  };
});
vi.mock("../src/state/feed-state.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/state/feed-state.ts")>();
  return {
    ...actual,
    applyFeedState: (...args: Parameters<typeof actual.applyFeedState>) => {
      const applied = actual.applyFeedState(...args);
      if (legacy.on) for (const model of args[0]) (applied.state.feeds[model.links.json] as { items: string }).items = actual.hashItemsV1(model);
      return applied;
    },
  };
});

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[path.relative(dir, path.join(entry.parentPath, entry.name))] = await readFile(path.join(entry.parentPath, entry.name), "utf8");
  }
  return out;
}

describe("a state file recorded with the first kind of digest (issue 7)", () => {
  it("is recorded again with the new kind by the next build, incremental or full, and no feed's updated moves", async () => {
    const files = Object.fromEntries(
      Array.from({ length: 5 }, (_, i) => [`articles/post-${i}.md`, article({ title: `Post ${i}`, date: `2025-05-0${i + 1}`, tags: [`t${i % 2}`] }, `Body ${i} “é”.\n`)]),
    );
    const dir = await makeTempSite(files, { limit: 4 });
    // Older than the build by more than 2 s, so that the build leaves a stamp.
    const past = new Date(Date.now() - 60_000);
    for (const file of [...Object.keys(files), "wirefeed.config.ts"]) await utimes(path.join(dir, file), past, past);
    const now = new Date(FIXED_NOW);
    legacy.on = true;
    await build({ cwd: dir, now });
    legacy.on = false;
    expect((await stat(path.join(dir, ".wirefeed-cache/stamp.json"))).isFile()).toBe(true);
    const stateFile = path.join(dir, ".wirefeed/state.json");
    const old = JSON.parse(await readFile(stateFile, "utf8")) as { feeds: Record<string, { items: string; updated: string }> };
    expect(Object.values(old.feeds).map((entry) => entry.items.startsWith("2:"))).toEqual([false, false, false]);
    const before = await snapshot(path.join(dir, "dist"));
    const full = await makeTempDir();
    await cp(dir, full, { recursive: true });
    await rm(path.join(full, ".wirefeed-cache"), { recursive: true });
    const later = new Date(now.getTime() + 86_400_000);
    const incremental = await build({ cwd: dir, now: later });
    await build({ cwd: full, now: later });
    const recorded = await readFile(stateFile, "utf8");
    expect(recorded).toBe(await readFile(path.join(full, ".wirefeed/state.json"), "utf8"));
    for (const [key, entry] of Object.entries((JSON.parse(recorded) as typeof old).feeds)) {
      expect(entry.items, key).toMatch(/^2:[0-9a-f]{64}$/);
      expect(entry.updated, key).toBe(old.feeds[key]?.updated);
    }
    expect(incremental.written).toEqual([]);
    expect(await snapshot(path.join(dir, "dist"))).toEqual(before);
  });
});
