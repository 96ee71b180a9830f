import { cp } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildFeeds, makeTempDir } from "./helpers.ts";

const repoRoot = path.resolve(import.meta.dirname, "..");

/** The repo's own site (wirefeed.config.ts + articles/) copied to a temp folder. */
async function copyRepoSite(): Promise<string> {
  const dir = await makeTempDir();
  await cp(path.join(repoRoot, "articles"), path.join(dir, "articles"), { recursive: true });
  // The config only imports a type from ./src, which is erased, so the file works anywhere.
  await cp(path.join(repoRoot, "wirefeed.config.ts"), path.join(dir, "wirefeed.config.ts"));
  return dir;
}

describe("the sample site (golden files)", () => {
  it("builds the three feeds of the sample article byte for byte", async () => {
    const dir = await copyRepoSite();
    const feeds = await buildFeeds(dir);
    await expect(feeds.rss).toMatchFileSnapshot("golden/sample/rss.xml");
    await expect(feeds.atom).toMatchFileSnapshot("golden/sample/atom.xml");
    await expect(feeds.json).toMatchFileSnapshot("golden/sample/feed.json");
  });

  it("gives identical bytes on a second build", async () => {
    const dir = await copyRepoSite();
    const first = await buildFeeds(dir);
    const second = await buildFeeds(dir);
    expect(second.rss).toBe(first.rss);
    expect(second.atom).toBe(first.atom);
    expect(second.json).toBe(first.json);
    expect(second.run.stderr).toContain("unchanged rss.xml");
  });
});
