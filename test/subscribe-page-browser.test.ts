import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSubscribePage } from "../src/formats/subscribe-page.ts";
import type { FeedItem, FeedListing, FeedModel } from "../src/model/types.ts";

/**
 * The subscribe page in Debian's headless Chromium, driven by playwright-core. Skipped when
 * /usr/bin/chromium is missing (install it with `apt-get install chromium`), except on CI, where
 * a missing browser fails the run instead of hiding the test.
 */
const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ON_CI = process.env.CI === "true";
const ARTIFACTS = path.resolve(import.meta.dirname, "../test-artifacts/subscribe-page");

const SITE = "https://example.com/blog/";

function item(n: number, title: string, summary: string, tags: string[] = []): FeedItem {
  const url = `${SITE}posts/${n}/`;
  const published = new Date(Date.UTC(2025, 3, n * 3, 15, 30));
  return {
    id: url,
    url,
    permalink: url,
    title,
    summary,
    html: `<p>${summary}</p>`,
    published,
    updated: published,
    authors: [{ name: "Ana Pérez" }],
    tags: tags.map((name) => ({ name, term: name.toLowerCase(), scheme: `${SITE}tags/` })),
    section: undefined,
    image: undefined,
    enclosure: undefined,
    lang: undefined,
    fullContent: true,
    file: `articles/${n}.md`,
  };
}

const ITEMS: FeedItem[] = [
  item(
    6,
    "Crossing the border at Tijuana <on foot> & by bus",
    "What the queue at San Ysidro looks like at six in the morning, and why the bus is faster than it seems.",
    ["Mexico"],
  ),
  item(5, "Tacos al pastor: a field guide", "Twelve taquerías in Mexico City, ranked by someone who ate at all of them twice."),
  item(
    4,
    "A very long title that keeps going so we can see how the layout wraps on a narrow phone screen",
    "Short summary.",
  ),
  item(3, "Notes from Oaxaca", "Mezcal, mole and a lot of walking."),
];

const MODEL: FeedModel = {
  kind: "main",
  id: "tag:example.com,2025:feed",
  title: "Ana's Travel Notes",
  description: "Slow travel in Mexico & Central America, one long walk at a time.",
  homePageUrl: SITE,
  language: "en",
  authors: [{ name: "Ana Pérez" }],
  updated: ITEMS[0]?.updated ?? new Date(0),
  links: {
    rss: `${SITE}rss.xml`,
    atom: `${SITE}atom.xml`,
    json: `${SITE}feed.json`,
  },
  hubs: [],
  complete: true,
  archive: undefined,
  items: ITEMS,
};

function listing(kind: FeedListing["kind"], name: string, slug: string, itemCount: number): FeedListing {
  const base = `${SITE}${kind}s/${slug}/`;
  return {
    kind,
    name,
    title: `${MODEL.title}: ${name}`,
    homePageUrl: base,
    links: { rss: `${base}rss.xml`, atom: `${base}atom.xml`, json: `${base}feed.json` },
    itemCount,
  };
}

const FEEDS: FeedListing[] = [
  listing("tag", "Mexico", "mexico", 3),
  listing("tag", "Food", "food", 1),
  listing("section", "Notes", "notes", 4),
  listing("author", "Ana Pérez", "ana-perez", 4),
];

const PAGE = generateSubscribePage(MODEL, FEEDS, { timeZone: "America/Mexico_City" });

/**
 * Browser-side code is passed as text: the project compiles without the DOM library, so that
 * nothing in src/ can use browser globals by accident.
 */
function readClipboard(page: Page): Promise<string> {
  return page.evaluate<string>("navigator.clipboard.readText()");
}

const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 900 },
} as const;

if (!HAVE_CHROMIUM) {
  describe("subscribe page in headless Chromium", () => {
    it(`needs ${CHROMIUM}`, (context) => {
      if (ON_CI) {
        expect.fail(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium) so the browser test runs`);
      }
      const message = `skipped: ${CHROMIUM} not found; install it with apt-get install chromium to run the browser test`;
      process.stderr.write(`subscribe-page-browser: ${message}\n`);
      context.skip(message);
    });
  });
}

describe.skipIf(!HAVE_CHROMIUM)("subscribe page in headless Chromium", () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  /** Every URL the browser asked for, to prove the page loads nothing from elsewhere. */
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/" || req.url === "/index.html") {
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
        res.end(PAGE);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  async function open(
    viewport: { width: number; height: number },
    colorScheme: "light" | "dark" = "light",
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport, colorScheme });
    const page = await context.newPage();
    page.on("request", (request) => requested.push(request.url()));
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    await page.goto(`${origin}/`);
    return { context, page };
  }

  it("shows the title, the article list and the subscribe block", async () => {
    const { context, page } = await open(VIEWPORTS.desktop);
    await expect(page.title()).resolves.toBe(MODEL.title);
    expect(await page.locator("h1").textContent()).toBe(MODEL.title);
    const articles = page.locator("ol.articles > li");
    expect(await articles.count()).toBe(ITEMS.length);
    expect(await articles.first().isVisible()).toBe(true);
    expect(await articles.first().locator("h3").textContent()).toBe(ITEMS[0]?.title);
    expect(await articles.first().locator("time").getAttribute("datetime")).toBe(ITEMS[0]?.published.toISOString());
    expect(await page.locator("#subscribe").isVisible()).toBe(true);
    for (const key of ["rss", "atom", "json"] as const) {
      expect(await page.locator(`#url-${key}`).textContent()).toBe(MODEL.links[key]);
      expect(await page.locator(`#feed-${key} button`).isVisible()).toBe(true);
    }
    expect(await page.locator("#more-feeds a").count()).toBe(FEEDS.length * 3);
    const alternates = await page
      .locator('head link[rel="alternate"]')
      .evaluateAll((links) => links.map((link) => link.getAttribute("href")));
    expect(alternates).toEqual([MODEL.links.rss, MODEL.links.atom, MODEL.links.json]);
    await context.close();
  });

  it("copies the feed URL to the clipboard when the copy button is clicked", async () => {
    const { context, page } = await open(VIEWPORTS.desktop);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    for (const key of ["atom", "rss"] as const) {
      const button = page.locator(`#feed-${key} button`);
      await button.click();
      await expect.poll(() => button.textContent()).toBe("Copied");
      expect(await readClipboard(page)).toBe(MODEL.links[key]);
    }
    expect(await page.locator("#copy-status").textContent()).toBe(`Copied ${MODEL.links.rss}`);
    await context.close();
  });

  it("falls back to execCommand when the Clipboard API refuses", async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    // Stands in for a browser that denies writeText (no permission, or not a secure context).
    await context.addInitScript(`
      navigator.clipboard.writeText = () => {
        document.documentElement.dataset.writeTextRefused = "yes";
        return Promise.reject(new DOMException("denied", "NotAllowedError"));
      };
    `);
    const page = await context.newPage();
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    await page.goto(`${origin}/`);
    const button = page.locator("#feed-json button");
    await button.click();
    await expect.poll(() => button.textContent()).toBe("Copied");
    expect(await page.locator("html").getAttribute("data-write-text-refused")).toBe("yes");
    expect(await readClipboard(page)).toBe(MODEL.links.json);
    await context.close();
  });

  it("loads nothing but the page itself and breaks no Content-Security-Policy rule", () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    for (const colorScheme of ["light", "dark"] as const) {
      it(`renders on a ${name} (${viewport.width}×${viewport.height}) in ${colorScheme} mode`, async () => {
        const { context, page } = await open(viewport, colorScheme);
        await page.emulateMedia({ colorScheme });
        const look = await page.evaluate<{ scrollWidth: number; background: string; color: string }>(`({
          scrollWidth: document.documentElement.scrollWidth,
          background: getComputedStyle(document.body).backgroundColor,
          color: getComputedStyle(document.body).color,
        })`);
        // Nothing sticks out sideways: no horizontal scrolling on a phone.
        expect(look.scrollWidth).toBeLessThanOrEqual(viewport.width);
        const dark = colorScheme === "dark";
        expect(look.background).toBe(dark ? "rgb(15, 17, 21)" : "rgb(253, 253, 252)");
        expect(look.color).toBe(dark ? "rgb(230, 232, 235)" : "rgb(31, 35, 40)");
        expect(await page.locator("#subscribe").isVisible()).toBe(true);
        await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${colorScheme}.png`), fullPage: true });
        await context.close();
      });
    }
  }
});
