import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createBodyRenderer } from "../../src/render/render-article.ts";
import { SANITIZE_HTML_DEFAULT_TAGS, SANITIZE_HTML_SELF_CLOSING } from "../../src/render/sanitize.ts";

/**
 * Issue 7: sanitize-html (with htmlparser2 and postcss) is loaded only when some HTML needs it;
 * most Markdown is sanitized without it. Its own file, so that no other test has loaded it first:
 * this relies on vitest's default isolation of each test file (`--no-isolate` would share the
 * module cache with other files and fail the first test).
 */
const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).some((file) => file.includes(`${path.sep}sanitize-html${path.sep}`));

describe("loading sanitize-html", () => {
  it("waits for HTML that needs it", () => {
    const render = createBodyRenderer({ sanitize: true, iframeHosts: [] });
    const permalink = "https://example.com/news/a/";
    expect(render({ body: "Plain *text* and a [link](../b/).\n\n## Heading\n", permalink }).html).toBe(
      '<p>Plain <em>text</em> and a <a href="https://example.com/news/b/">link</a>.</p>\n<h2 id="heading">Heading</h2>',
    );
    expect(loaded()).toBe(false);
    expect(render({ body: 'Raw <b onclick="x()">html</b>.\n', permalink }).html).toBe("<p>Raw <b>html</b>.</p>");
    expect(loaded()).toBe(true);
  });

  it("keeps the library's default tags as wirefeed's copy says", () => {
    const library = require("sanitize-html") as { defaults: { allowedTags: string[]; selfClosing: string[] } };
    expect(SANITIZE_HTML_DEFAULT_TAGS).toEqual(library.defaults.allowedTags);
    expect(SANITIZE_HTML_SELF_CLOSING).toEqual(library.defaults.selfClosing);
  });
});
