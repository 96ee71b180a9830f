import { createHash } from "node:crypto";
import type { FeedItem, FeedKind, FeedListing, FeedModel } from "../model/types.ts";
import { AUTODISCOVERY_ORDER, FORMAT_LABELS, generateAutodiscoveryLinks } from "./autodiscovery.ts";
import { escapeHtml } from "./feed-workarounds.ts";

export interface SubscribePageOptions {
  /** IANA zone the article dates are shown in; pass the site's `timeZone`. Default: `"UTC"`. */
  timeZone?: string;
  /** How many of the newest articles the page lists. Default: 20. */
  latest?: number;
}

/** Headings of the "More feeds" lists, in page order. */
const GROUPS: readonly { kind: Exclude<FeedKind, "main">; heading: string }[] = [
  { kind: "tag", heading: "By tag" },
  { kind: "section", heading: "By section" },
  { kind: "author", heading: "By author" },
];

/**
 * The page's only style. Colours are custom properties switched by `prefers-color-scheme`, and
 * `color-scheme: light dark` makes the browser's own parts (scroll bars, focus rings) follow.
 * Buttons start `hidden` and the script shows them, so without script nobody sees a dead button;
 * the URLs stay selectable (`user-select: all`) either way.
 */
const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #fdfdfc;
  --fg: #1f2328;
  --muted: #59636e;
  --accent: #0b5cad;
  --card: #f1f3f5;
  --border: #d1d9e0;
  --on-accent: #ffffff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif;
  line-height: 1.55;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1115;
    --fg: #e6e8eb;
    --muted: #9ba5b2;
    --accent: #79b8ff;
    --card: #181c23;
    --border: #313842;
    --on-accent: #0f1115;
  }
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); -webkit-text-size-adjust: 100%; }
.page { max-width: 44rem; margin: 0 auto; padding: 2.5rem 1.25rem 3rem; }
h1 {
  font-size: clamp(1.75rem, 6vw, 2.5rem);
  line-height: 1.2;
  margin: 0 0 0.5rem;
  overflow-wrap: anywhere;
}
.description { margin: 0; color: var(--muted); font-size: 1.1rem; }
h2 { font-size: 1.3rem; line-height: 1.3; margin: 2.5rem 0 0.75rem; }
h3 { font-size: 1.1rem; line-height: 1.35; }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.subscribe {
  margin-top: 2rem;
  padding: 1.25rem;
  background: var(--card);
  border: 1px solid var(--border);
  border-radius: 0.75rem;
}
.subscribe h2 { margin-top: 0; }
.subscribe p { margin: 0; }
.feeds { list-style: none; margin: 1rem 0 0; padding: 0; display: grid; gap: 0.75rem; }
.feed {
  display: grid;
  grid-template-columns: 6.5rem minmax(0, 1fr) auto;
  gap: 0.4rem 0.75rem;
  align-items: center;
}
.format { font-weight: 600; white-space: nowrap; }
.url {
  display: block;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 0.875rem;
  overflow-wrap: anywhere;
  user-select: all;
  -webkit-user-select: all;
  padding: 0.4rem 0.6rem;
  background: var(--bg);
  border: 1px solid var(--border);
  border-radius: 0.375rem;
}
button {
  font: inherit;
  font-size: 0.9rem;
  font-weight: 600;
  min-width: 5.5rem;
  min-height: 2.5rem;
  padding: 0.4rem 0.9rem;
  color: var(--on-accent);
  background: var(--accent);
  border: 0;
  border-radius: 0.375rem;
  cursor: pointer;
}
.articles { list-style: none; margin: 0; padding: 0; }
.articles > li { padding: 1rem 0; border-top: 1px solid var(--border); }
.articles h3 { margin: 0 0 0.2rem; overflow-wrap: anywhere; }
.articles h3 a { text-decoration: none; }
.articles h3 a:hover { text-decoration: underline; }
.meta { margin: 0 0 0.35rem; color: var(--muted); font-size: 0.9rem; }
.summary { margin: 0; overflow-wrap: anywhere; }
.more h3 { margin: 1.25rem 0 0.4rem; }
.more ul { margin: 0; padding-left: 1.25rem; }
.more li { margin: 0.2rem 0; overflow-wrap: anywhere; }
.more a { white-space: nowrap; }
.count { color: var(--muted); }
footer { margin-top: 3rem; color: var(--muted); font-size: 0.85rem; }
.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
}
@media (max-width: 34rem) {
  .page { padding-top: 1.5rem; }
  .feed { grid-template-columns: minmax(0, 1fr) auto; }
  .feed .url { grid-column: 1 / -1; grid-row: 2; }
}
`;

/**
 * The page's only script: the copy buttons. It holds no site text (each button carries its URL
 * in `data-copy`), so its bytes, and its CSP hash, never change. The Clipboard API needs a secure
 * context (https or localhost); elsewhere, or when permission is refused, it falls back to
 * `execCommand("copy")`, and if that fails too it selects the URL for the reader to copy.
 */
const SCRIPT = `
(() => {
  const statusLine = document.getElementById("copy-status");
  function selectText(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function legacyCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    area.remove();
    return copied;
  }
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    let reset;
    button.addEventListener("click", async () => {
      const text = button.dataset.copy;
      let copied = false;
      try {
        await navigator.clipboard.writeText(text);
        copied = true;
      } catch {
        copied = legacyCopy(text);
      }
      const target = document.getElementById(button.dataset.target);
      if (!copied && target) selectText(target);
      button.textContent = copied ? "Copied" : "Selected";
      statusLine.textContent = copied ? "Copied " + text : "Press Ctrl+C or \\u2318C to copy " + text;
      clearTimeout(reset);
      reset = setTimeout(() => {
        button.textContent = "Copy";
      }, 2000);
    });
  }
})();
`;

/** CSP source for an inline block: lets exactly these bytes run, and nothing else inline. */
function hashSource(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * The Content-Security-Policy of the page: nothing may load, and only the page's own style and
 * script may run. Because script-src has a hash and no 'unsafe-inline', a `<script>` or
 * `javascript:` URL smuggled in through an article title would not run even if escaping failed.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${hashSource(STYLE)}`,
  `script-src ${hashSource(SCRIPT)}`,
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

/**
 * `dist/index.html`: a page a person can read where a raw feed would show as code (browsers
 * have dropped XSLT). It holds the site title and description, a Subscribe block with each
 * format of the main feed, its URL and a copy button, the newest articles, and links to every
 * tag, section and author feed. One self-contained file: inline style and script only, allowed
 * by hash in the CSP. The output depends only on its arguments, never on the clock.
 *
 * The main feed is `model` itself (its self links); `feeds` supplies the other feeds, listed in
 * the order given within each kind.
 */
export function generateSubscribePage(
  model: FeedModel,
  feeds: readonly FeedListing[],
  options: SubscribePageOptions = {},
): string {
  const main: FeedListing = {
    kind: "main",
    name: model.title,
    title: model.title,
    homePageUrl: model.homePageUrl,
    links: model.links,
    itemCount: model.items.length,
  };
  const formatDate = dateFormatter(model.language, options.timeZone ?? "UTC");
  const latest = model.items.slice(0, options.latest ?? 20);
  const description = model.description.trim();
  const lines = [
    "<!doctype html>",
    `<html lang="${escapeHtml(model.language)}">`,
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(model.title)}</title>`,
    ...(description ? [`<meta name="description" content="${escapeHtml(description)}">`] : []),
    generateAutodiscoveryLinks(main),
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    '<div class="page">',
    "<header>",
    `<h1>${escapeHtml(model.title)}</h1>`,
    ...(description ? [`<p class="description">${escapeHtml(description)}</p>`] : []),
    "</header>",
    "<main>",
    ...subscribeBlock(main),
    ...latestBlock(latest, formatDate),
    ...moreFeedsBlock(feeds),
    "</main>",
    "<footer>",
    "<p>Made with wirefeed.</p>",
    "</footer>",
    "</div>",
    `<script>${SCRIPT}</script>`,
    "</body>",
    "</html>",
  ];
  return `${lines.join("\n")}\n`;
}

function subscribeBlock(main: FeedListing): string[] {
  return [
    '<section class="subscribe" id="subscribe" aria-labelledby="subscribe-heading">',
    '<h2 id="subscribe-heading">Subscribe</h2>',
    "<p>A feed reader is an app that follows websites for you: paste one of these addresses into it, " +
      "and new articles show up there as soon as they are published. If your reader asks which one, choose RSS.</p>",
    '<ul class="feeds">',
    ...AUTODISCOVERY_ORDER.map((key) => {
      const label = FORMAT_LABELS[key];
      const url = escapeHtml(main.links[key]);
      return [
        `<li class="feed" id="feed-${key}">`,
        `<span class="format">${label}</span>`,
        `<code class="url" id="url-${key}">${url}</code>`,
        `<button type="button" data-copy="${url}" data-target="url-${key}" aria-label="Copy the ${label} address" hidden>Copy</button>`,
        "</li>",
      ].join("");
    }),
    "</ul>",
    '<p class="visually-hidden" role="status" id="copy-status"></p>',
    "</section>",
  ];
}

function latestBlock(items: readonly FeedItem[], formatDate: Intl.DateTimeFormat): string[] {
  const head = ['<section class="latest" id="latest" aria-labelledby="latest-heading">', '<h2 id="latest-heading">Latest articles</h2>'];
  if (items.length === 0) return [...head, "<p>No articles yet.</p>", "</section>"];
  return [
    ...head,
    '<ol class="articles">',
    ...items.map((item) => {
      const href = safeHref(item.url);
      const title = escapeHtml(item.title);
      const authors = item.authors.map((author) => escapeHtml(author.name)).join(", ");
      const date = `<time datetime="${item.published.toISOString()}">${escapeHtml(formatDate.format(item.published))}</time>`;
      return [
        "<li><article>",
        `<h3>${href ? `<a href="${href}">${title}</a>` : title}</h3>`,
        `<p class="meta">${date}${authors ? ` · ${authors}` : ""}</p>`,
        ...(item.summary ? [`<p class="summary">${escapeHtml(item.summary)}</p>`] : []),
        "</article></li>",
      ].join("");
    }),
    "</ol>",
    "</section>",
  ];
}

function moreFeedsBlock(feeds: readonly FeedListing[]): string[] {
  const groups = GROUPS.map((group) => ({ ...group, feeds: feeds.filter((feed) => feed.kind === group.kind) })).filter(
    (group) => group.feeds.length > 0,
  );
  if (groups.length === 0) return [];
  return [
    '<section class="more" id="more-feeds" aria-labelledby="more-heading">',
    '<h2 id="more-heading">More feeds</h2>',
    ...groups.flatMap((group) => [
      `<h3>${group.heading}</h3>`,
      "<ul>",
      ...group.feeds.map((feed) => {
        const name = escapeHtml(feed.name);
        const count = `${feed.itemCount} ${feed.itemCount === 1 ? "article" : "articles"}`;
        const links = AUTODISCOVERY_ORDER.map((key) => {
          const href = safeHref(feed.links[key]);
          const label = FORMAT_LABELS[key];
          return href ? `<a href="${href}" aria-label="${name}, ${label}">${label}</a>` : "";
        }).filter(Boolean);
        return `<li>${name} <span class="count">(${count})</span>: ${links.join(" · ")}</li>`;
      }),
      "</ul>",
    ]),
    "</section>",
  ];
}

/**
 * An http(s) URL escaped for an attribute, or undefined. Links come from config and front
 * matter; anything else (a `javascript:` URL above all) is shown as text, never as a link.
 */
function safeHref(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const protocol = new URL(url).protocol;
  return protocol === "http:" || protocol === "https:" ? escapeHtml(url) : undefined;
}

/**
 * A long date in the site's language and zone ("May 3, 2025", "3 de mayo de 2025"). The zone
 * matters: an article dated at local midnight would otherwise show the previous day in UTC.
 */
function dateFormatter(language: string, timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone });
  } catch {
    // A language tag Intl cannot use: fall back to English. A bad zone throws again here.
    return new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone });
  }
}
