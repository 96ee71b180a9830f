import { existsSync } from "node:fs";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PreviewHandle, startPreview } from "../src/preview/start-preview.ts";
import { makeTempDir } from "./helpers.ts";

/**
 * `wirefeed preview` as a person uses it: Debian's headless Chromium, driven by playwright-core.
 * Skipped when /usr/bin/chromium is missing (`apt-get install chromium`), except on CI, where a
 * missing browser fails the run instead of hiding the test.
 */
const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ON_CI = process.env.CI === "true";
const repoRoot = path.resolve(import.meta.dirname, "..");
const ARTIFACTS = path.join(repoRoot, "test-artifacts/preview");
const SAMPLE = "articles/2025-05-03-mexico-rejects-us-troops.md";
const TITLE = "Mexico’s President Rejects Trump’s Offer for U.S. Troops Against Cartels";

if (!HAVE_CHROMIUM && !ON_CI) {
  process.stderr.write(`browser.test.ts: skipped: ${CHROMIUM} not found; install it with apt-get install -y chromium\n`);
}

describe.skipIf(!HAVE_CHROMIUM && !ON_CI)("wirefeed preview in Chromium", () => {
  let browser: Browser;
  let handle: PreviewHandle;
  let site: string;

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium package for this test`);
    // The repo's own site, with the config pointed at this checkout's src/.
    site = await makeTempDir("wirefeed-browser-");
    await cp(path.join(repoRoot, "articles"), path.join(site, "articles"), { recursive: true });
    const config = await readFile(path.join(repoRoot, "wirefeed.config.ts"), "utf8");
    await writeFile(path.join(site, "wirefeed.config.ts"), config.replace('"./src/index.ts"', JSON.stringify(path.join(repoRoot, "src/index.ts"))));
    handle = await startPreview({ build: { cwd: site }, port: 0, debounceMs: 100 });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await handle?.close();
  });

  it("lists the sample article, updates when it is edited, shows a bad edit's error, and serves each feed", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });

    await page.goto(handle.url);
    await expect(page.getByText(TITLE).first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, "1-preview.png"), fullPage: true });

    // Edit the article on disk: the watcher rebuilds and the open page reloads by itself.
    const file = path.join(site, SAMPLE);
    const original = await readFile(file, "utf8");
    const edited = "Mexico Rejects U.S. Troops, Edited Live";
    await writeFile(file, original.replace(/^title: .*$/m, `title: "${edited}"`));
    await page.getByText(edited).first().waitFor({ timeout: 20_000 });
    expect(await page.getByText(TITLE).count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "2-after-edit.png"), fullPage: true });

    // A broken article: the error shows on the page, the last good build stays.
    await writeFile(path.join(site, "articles/broken.md"), "---\ntitle: Broken\ndate: someday\n---\n\nText.\n");
    const banner = page.getByRole("alert");
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.textContent()).toContain("articles/broken.md:3: date:");
    expect(await page.getByText(edited).count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "3-error.png"), fullPage: true });

    // The preview's own page lists the feeds and the articles of the last good build.
    await page.goto(new URL("__wirefeed/", handle.url).href);
    await page.getByRole("heading", { name: edited }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "4-dashboard.png"), fullPage: true });

    const types = await page.evaluate(async () => {
      const out: Record<string, string | null> = {};
      for (const name of ["rss.xml", "atom.xml", "feed.json"]) out[name] = (await fetch(`/${name}`)).headers.get("content-type");
      return out;
    });
    expect(types).toEqual({
      "rss.xml": "application/rss+xml; charset=utf-8",
      "atom.xml": "application/atom+xml; charset=utf-8",
      "feed.json": "application/feed+json; charset=utf-8",
    });
    const json = await page.evaluate(async () => (await (await fetch("/feed.json")).json()) as { items: { title: string }[] });
    expect(json.items.map((item) => item.title)).toContain(edited);
    expect(problems).toEqual([]);
    await page.close();
  });
});
