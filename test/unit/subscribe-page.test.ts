import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AUTODISCOVERY_ORDER,
  generateAutodiscoveryLinks,
  generateAutodiscoverySnippet,
} from "../../src/formats/autodiscovery.ts";
import { FORMATS } from "../../src/formats/registry.ts";
import { generateSubscribePage } from "../../src/formats/subscribe-page.ts";
import type { FeedItem, FeedKind, FeedListing, FeedModel } from "../../src/model/types.ts";

const SITE = "https://example.com/blog/";

function item(n: number, overrides: Partial<FeedItem> = {}): FeedItem {
  const url = `${SITE}posts/${n}/`;
  const published = new Date(Date.UTC(2025, 4, n, 17, 0, 0));
  return {
    id: url,
    url,
    permalink: url,
    title: `Article ${n}`,
    summary: `Summary of article ${n}.`,
    html: `<p>Body ${n}</p>`,
    published,
    updated: published,
    authors: [{ name: "Ana Pérez" }],
    tags: [],
    section: undefined,
    image: undefined,
    enclosure: undefined,
    lang: undefined,
    fullContent: true,
    file: `articles/${n}.md`,
    ...overrides,
  };
}

function model(overrides: Partial<FeedModel> = {}): FeedModel {
  const items = overrides.items ?? [item(3), item(2), item(1)];
  return {
    kind: "main",
    id: "tag:example.com,2025:feed",
    title: "Test Site",
    description: "A site for tests.",
    homePageUrl: SITE,
    language: "en",
    authors: [{ name: "Ana Pérez" }],
    updated: items[0]?.updated ?? new Date(0),
    links: { rss: `${SITE}rss.xml`, atom: `${SITE}atom.xml`, json: `${SITE}feed.json` },
    hubs: [],
    complete: true,
    archive: undefined,
    ...overrides,
    items,
  };
}

function listing(kind: FeedKind, name: string, path: string, itemCount = 1): FeedListing {
  const base = `${SITE}${path}`;
  return {
    kind,
    name,
    title: kind === "main" ? name : `Test Site: ${name}`,
    homePageUrl: base,
    links: { rss: `${base}rss.xml`, atom: `${base}atom.xml`, json: `${base}feed.json` },
    itemCount,
  };
}

const MAIN = listing("main", "Test Site", "", 3);
const FEEDS: FeedListing[] = [
  MAIN,
  listing("tag", "Mexico", "tags/mexico/", 2),
  listing("tag", "Travel", "tags/travel/", 1),
  listing("section", "Notes", "sections/notes/", 3),
  listing("author", "Ana Pérez", "authors/ana-perez/", 3),
  listing("archive", "2024", "archive/2024/", 10),
];

/** The attributes of every `<link ...>` tag in order (the page's own markup is regular enough for this). */
function linkTags(html: string): Record<string, string>[] {
  return [...html.matchAll(/<link\s([^>]*)>/g)].map((match) =>
    Object.fromEntries([...(match[1] ?? "").matchAll(/([a-z-]+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]])),
  );
}

function between(html: string, open: string, close: string): string {
  const start = html.indexOf(open);
  const end = html.indexOf(close, start);
  if (start === -1 || end === -1) throw new Error(`no ${open}…${close}`);
  return html.slice(start + open.length, end);
}

describe("generateAutodiscoveryLinks", () => {
  it("links RSS first, then Atom, then JSON Feed, each with the feed's self link as href", () => {
    const tags = linkTags(generateAutodiscoveryLinks(MAIN));
    expect(tags).toEqual([
      { rel: "alternate", type: "application/rss+xml", title: "Test Site (RSS)", href: MAIN.links.rss },
      { rel: "alternate", type: "application/atom+xml", title: "Test Site (Atom)", href: MAIN.links.atom },
      { rel: "alternate", type: "application/feed+json", title: "Test Site (JSON Feed)", href: MAIN.links.json },
    ]);
  });

  it("uses the media types of the format registry", () => {
    const types = linkTags(generateAutodiscoveryLinks(MAIN)).map((tag) => tag.type);
    expect(types).toEqual(AUTODISCOVERY_ORDER.map((key) => FORMATS.find((format) => format.key === key)?.mediaType));
  });

  it("keeps the fixed order whatever order the formats option has", () => {
    const tags = linkTags(generateAutodiscoveryLinks(MAIN, { formats: ["json", "rss"] }));
    expect(tags.map((tag) => tag.type)).toEqual(["application/rss+xml", "application/feed+json"]);
  });

  it("indents each line and escapes the title and href", () => {
    const hostile = { ...MAIN, title: `A & B <script>"x"</script>`, links: { ...MAIN.links, rss: `${SITE}rss.xml?a=1&b=2` } };
    const text = generateAutodiscoveryLinks(hostile, { indent: "    " });
    expect(text.split("\n").every((line) => line.startsWith("    <link "))).toBe(true);
    expect(text).toContain('title="A &amp; B &lt;script&gt;&quot;x&quot;&lt;/script&gt; (RSS)"');
    expect(text).toContain('href="https://example.com/blog/rss.xml?a=1&amp;b=2"');
    expect(text).not.toContain("<script>");
  });

  it("writes a snippet file: a comment, the three links, a final newline", () => {
    const snippet = generateAutodiscoverySnippet(MAIN);
    const lines = snippet.split("\n");
    expect(lines[0]).toMatch(/^<!-- .*<head>.* -->$/);
    expect(lines.slice(1, 4).every((line) => line.startsWith('<link rel="alternate"'))).toBe(true);
    expect(lines.slice(4)).toEqual([""]);
  });
});

describe("generateSubscribePage", () => {
  const page = generateSubscribePage(model(), FEEDS);
  const head = between(page, "<head>", "</head>");

  it("is one HTML document with charset, viewport, color scheme and the site language", () => {
    expect(page.startsWith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')).toBe(true);
    expect(page.endsWith("</html>\n")).toBe(true);
    expect(head).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(head).toContain('<meta name="color-scheme" content="light dark">');
    expect(head).toContain("color-scheme: light dark;");
    expect(head).toContain("@media (prefers-color-scheme: dark)");
  });

  it("shows the site title and description", () => {
    expect(head).toContain("<title>Test Site</title>");
    expect(head).toContain('<meta name="description" content="A site for tests.">');
    expect(page).toContain("<h1>Test Site</h1>");
    expect(page).toContain('<p class="description">A site for tests.</p>');
  });

  it("carries the autodiscovery links of the main feed in <head>, equal to the model's self links", () => {
    expect(head).toContain(generateAutodiscoveryLinks(MAIN));
    const alternates = linkTags(head).filter((tag) => tag.rel === "alternate");
    expect(alternates.map((tag) => tag.href)).toEqual([model().links.rss, model().links.atom, model().links.json]);
    expect(linkTags(page.slice(page.indexOf("</head>")))).toEqual([]);
  });

  it("loads nothing from anywhere: no src, no stylesheet link, one inline style and one inline script", () => {
    expect(page).not.toMatch(/\ssrc=/);
    expect(linkTags(page).every((tag) => tag.rel === "alternate")).toBe(true);
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page.match(/<style/g)).toHaveLength(1);
    expect(page).toContain("<script>\n(() => {");
    expect(page).not.toMatch(/@import|url\(/);
  });

  it("allows exactly its own style and script by hash in the Content-Security-Policy", () => {
    const csp = between(page, '<meta http-equiv="Content-Security-Policy" content="', '">');
    const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src ${hash(between(page, "<style>", "</style>"))}`);
    expect(csp).toContain(`script-src ${hash(between(page, "<script>", "</script>"))}`);
    expect(csp).not.toContain("unsafe");
    // The policy must come before the blocks it governs.
    expect(page.indexOf("Content-Security-Policy")).toBeLessThan(page.indexOf("<style>"));
  });

  it("lists the latest articles newest first with link, <time> and readable date, authors and summary", () => {
    const articles = between(page, '<ol class="articles">', "</ol>");
    expect([...articles.matchAll(/<h3><a href="([^"]+)">([^<]+)<\/a><\/h3>/g)].map((m) => [m[1], m[2]])).toEqual([
      [`${SITE}posts/3/`, "Article 3"],
      [`${SITE}posts/2/`, "Article 2"],
      [`${SITE}posts/1/`, "Article 1"],
    ]);
    expect(articles).toContain('<time datetime="2025-05-03T17:00:00.000Z">May 3, 2025</time> · Ana Pérez');
    expect(articles).toContain('<p class="summary">Summary of article 3.</p>');
  });

  it("shows dates in the site's zone and language", () => {
    // 03:00 UTC on 3 May is 21:00 on 2 May in Mexico City (UTC−6).
    const late = model({ language: "es", items: [item(3, { published: new Date("2025-05-03T03:00:00Z") })] });
    const html = generateSubscribePage(late, [], { timeZone: "America/Mexico_City" });
    expect(html).toContain('<time datetime="2025-05-03T03:00:00.000Z">2 de mayo de 2025</time>');
    expect(html).toContain('<html lang="es">');
    expect(generateSubscribePage(late, [])).toContain(">3 de mayo de 2025</time>");
  });

  it("cuts the list at the latest option", () => {
    const many = model({ items: Array.from({ length: 30 }, (_, index) => item(30 - index)) });
    expect(generateSubscribePage(many, []).match(/<article>/g)).toHaveLength(20);
    expect(generateSubscribePage(many, [], { latest: 5 }).match(/<article>/g)).toHaveLength(5);
  });

  it("has a Subscribe block with each format's URL, a copy button for it and a line on feed readers", () => {
    const block = between(page, '<section class="subscribe"', "</section>");
    expect(block).toContain('<h2 id="subscribe-heading">Subscribe</h2>');
    expect(block).toMatch(/A feed reader is an app/);
    const rows = [...block.matchAll(/<li class="feed" id="feed-(\w+)">(.*?)<\/li>/g)];
    expect(rows.map((row) => row[1])).toEqual(["rss", "atom", "json"]);
    const links = model().links;
    for (const [, key, row] of rows) {
      const url = links[key as keyof typeof links];
      expect(row).toContain(`<code class="url" id="url-${key}">${url}</code>`);
      expect(row).toContain(`<button type="button" data-copy="${url}" data-target="url-${key}"`);
    }
    expect(block).toContain('role="status"');
  });

  it("copies with navigator.clipboard.writeText and falls back to execCommand and selection", () => {
    const script = between(page, "<script>", "</script>");
    expect(script).toContain("navigator.clipboard.writeText(text)");
    expect(script).toContain('document.execCommand("copy")');
    expect(script).toContain("selectText(target)");
  });

  it("links the tag, section and author feeds, grouped, and leaves archives out", () => {
    const more = between(page, '<section class="more"', "</section>");
    expect([...more.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1])).toEqual(["By tag", "By section", "By author"]);
    expect(more).toContain(
      `<li>Mexico <span class="count">(2 articles)</span>: <a href="${SITE}tags/mexico/rss.xml" aria-label="Mexico, RSS">RSS</a>`,
    );
    expect(more).toContain("Travel <span class=\"count\">(1 article)</span>");
    expect(more).toContain(`href="${SITE}tags/travel/feed.json"`);
    expect(more).toContain(`href="${SITE}sections/notes/atom.xml"`);
    expect(more).toContain(`href="${SITE}authors/ana-perez/rss.xml"`);
    expect(page).not.toContain("archive/2024");
  });

  it("leaves out the More feeds section when there are no other feeds", () => {
    expect(generateSubscribePage(model(), [MAIN])).not.toContain("More feeds");
  });

  it("says so when there are no articles", () => {
    expect(generateSubscribePage(model({ items: [] }), [])).toContain("<p>No articles yet.</p>");
  });

  it("escapes every piece of site text: titles with <script> and & stay text", () => {
    const evil = `<script>alert("x")</script> & <b>bold</b>`;
    const hostile = model({
      title: evil,
      description: `Tom & Jerry's "best" <img src=x onerror=alert(1)>`,
      authors: [{ name: evil }],
      items: [item(1, { title: evil, summary: evil, authors: [{ name: `"><script>1</script>` }] })],
    });
    const html = generateSubscribePage(hostile, [{ ...listing("tag", evil, "tags/x/"), title: evil }]);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain("<b>");
    expect(html).not.toContain("<img");
    expect(html).toContain("<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</title>");
    expect(html).toContain("Tom &amp; Jerry&#39;s &quot;best&quot; &lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain('title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; (RSS)"');
  });

  it("never turns a non-http(s) URL into a link", () => {
    const html = generateSubscribePage(
      model({ items: [item(1, { url: "javascript:alert(1)", title: "Sneaky" })] }),
      [{ ...listing("tag", "Bad", "tags/bad/"), links: { rss: "javascript:alert(2)", atom: "data:text/html,x", json: `${SITE}ok.json` } }],
    );
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("data:text");
    expect(html).toContain("<h3>Sneaky</h3>");
    expect(html).toContain(`href="${SITE}ok.json"`);
  });

  it("is deterministic: the same model gives the same bytes", () => {
    expect(generateSubscribePage(model(), FEEDS)).toBe(page);
  });
});
