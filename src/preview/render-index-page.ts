import type { FeedModel, FormatKey } from "../model/types.ts";
import { FEED_MEDIA_TYPES } from "./media-types.ts";
import { escapeHtml } from "../formats/feed-workarounds.ts";

/** Server-Sent Events endpoint the page listens on. */
export const EVENTS_PATH = "/__wirefeed/events";
/** The preview's own page (also served at `/` while the output has no index.html). */
export const DASHBOARD_PATH = "/__wirefeed/";

export interface IndexPageInput {
  /** The last good build's model, if there is one. */
  model: FeedModel | undefined;
  /** Config title, for when there is no model yet. */
  siteTitle: string;
  feedFiles: Record<FormatKey, string>;
  /** Size in bytes of each feed file as served, when it exists. */
  feedSizes: Partial<Record<FormatKey, number>>;
  /** Counts every build attempt; the page reloads when the server's number differs from its own. */
  buildId: number;
  builtAt: Date | undefined;
  /** Text of the last build's error, when the last build failed. */
  error: string | undefined;
}

/**
 * The live-reload script's code: it reloads when the server announces a build other than the
 * one this page shows (also right after connecting, in case a build finished in between).
 */
export function buildLiveReloadCode(buildId: number): string {
  return `(() => {
  const shown = ${JSON.stringify(String(buildId))};
  const source = new EventSource(${JSON.stringify(EVENTS_PATH)});
  const check = (event) => { if (event.data !== shown) { source.close(); location.reload(); } };
  source.addEventListener("hello", check);
  source.addEventListener("build", check);
})();`;
}

export function renderLiveReloadScript(buildId: number): string {
  return `<script>${buildLiveReloadCode(buildId)}</script>`;
}

const FORMAT_NAMES: Record<FormatKey, string> = { rss: "RSS 2.0", atom: "Atom 1.0", json: "JSON Feed 1.1" };

/** The page at `/`: the feeds, the articles of the last good build, and the error of the last failed one. */
export function renderIndexPage(input: IndexPageInput): string {
  const { model } = input;
  const title = model?.title ?? input.siteTitle;
  const keys = ["rss", "atom", "json"] as const;
  const feeds = keys
    .map((key) => {
      const size = input.feedSizes[key];
      const href = `/${input.feedFiles[key].split("/").map(encodeURIComponent).join("/")}`;
      return `<li><a href="${escapeHtml(href)}">${FORMAT_NAMES[key]}</a> <code>${escapeHtml(input.feedFiles[key])}</code> <span class="meta">${FEED_MEDIA_TYPES[key]}${size === undefined ? " · not built" : ` · ${size.toLocaleString("en-US")} bytes`}</span></li>`;
    })
    .join("\n      ");
  const articles = (model?.items ?? [])
    .map((item) => {
      const tags = item.tags.map((tag) => `<span class="tag">${escapeHtml(tag.name)}</span>`).join(" ");
      return `<li class="article">
        <h3><a href="${escapeHtml(item.url)}">${escapeHtml(item.title)}</a></h3>
        <p class="meta"><time datetime="${item.published.toISOString()}">${item.published.toISOString().slice(0, 10)}</time>${item.section ? ` · ${escapeHtml(item.section.name)}` : ""} ${tags}</p>
        <p>${escapeHtml(item.summary)}</p>
        <p class="meta"><code>${escapeHtml(item.id)}</code> · ${escapeHtml(item.file)}</p>
      </li>`;
    })
    .join("\n      ");
  const error = input.error
    ? `<section class="error" role="alert">
      <h2>The last change did not build</h2>
      <pre>${escapeHtml(input.error)}</pre>
      <p>${model ? "Still serving the last good build. Fix the problem and save: the page reloads by itself." : "Fix the problem and save: the page reloads by itself."}</p>
    </section>`
    : "";
  const autodiscovery = keys
    .map((key) => `<link rel="alternate" type="${FEED_MEDIA_TYPES[key]}" title="${escapeHtml(`${title} (${FORMAT_NAMES[key]})`)}" href="/${escapeHtml(input.feedFiles[key])}">`)
    .join("\n  ");
  return `<!doctype html>
<html lang="${escapeHtml(model?.language ?? "en")}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} · wirefeed preview</title>
  ${autodiscovery}
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
    h1 { margin-bottom: 0; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; } h3 { margin: 0; }
    .meta { color: #666; font-size: 0.9rem; } code { font-size: 0.85rem; }
    .tag { background: #eef; border-radius: 3px; padding: 0 0.3rem; font-size: 0.8rem; }
    ol { padding: 0; list-style: none; } .article { margin: 1.2rem 0; }
    .error { background: #fff0f0; border: 2px solid #d33; border-radius: 6px; padding: 0 1rem; margin-top: 1.5rem; }
    .error pre { white-space: pre-wrap; font-size: 0.85rem; }
  </style>
</head>
<body data-build="${input.buildId}">
  <header>
    <h1>${escapeHtml(title)}</h1>
    <p>${escapeHtml(model?.description ?? "")}</p>
    <p class="meta">wirefeed preview of the output folder · ${model ? `${model.items.length} article${model.items.length === 1 ? "" : "s"}` : "no good build yet"}${input.builtAt ? ` · built ${input.builtAt.toISOString().replace("T", " ").slice(0, 19)} UTC` : ""}</p>
  </header>
  ${error}
  <section>
    <h2>Feeds</h2>
    <ul>
      ${feeds}
    </ul>
  </section>
  <section>
    <h2>Articles</h2>
    <ol>
      ${articles || '<li class="meta">No articles in the feed.</li>'}
    </ol>
  </section>
  ${renderLiveReloadScript(input.buildId)}
</body>
</html>
`;
}
