import { beforeAll, describe, expect, it } from "vitest";
import { article, buildFeeds, makeTempSite } from "../helpers.ts";
import { type FeedTexts, type FormatKey, htmlPayloads, isAbsoluteUrl, readWithFeedsmith, urlsInHtml } from "./read-feeds.ts";

/**
 * Readers resolve relative URLs against the feed's URL or not at all (standards brief §0.10, §4),
 * so every URL in an HTML payload must already be absolute, resolved against the article's
 * permalink. The site URL has a path (https://example.com/blog/), so resolving against the site
 * or the feed instead of the permalink gives different, wrong URLs.
 */
const PERMALINK = "https://example.com/blog/posts/relative-links/";

const BODY = `## Sec

See [a](other/), ![i](img/a.png), [r](/root) and [f](#sec).

<img src="x.png" srcset="a.png 1x, b.png 2x" alt="x">

<video poster="p.jpg"></video>
`;

/** Every URL of the body, absolute, in document order. */
const EXPECTED_URLS = [
  { attribute: "href", url: `${PERMALINK}other/` },
  { attribute: "src", url: `${PERMALINK}img/a.png` },
  { attribute: "href", url: "https://example.com/root" },
  { attribute: "href", url: `${PERMALINK}#sec` },
  { attribute: "src", url: `${PERMALINK}x.png` },
  { attribute: "srcset", url: `${PERMALINK}a.png` },
  { attribute: "srcset", url: `${PERMALINK}b.png` },
  { attribute: "poster", url: `${PERMALINK}p.jpg` },
];

let feeds: FeedTexts;
beforeAll(async () => {
  const dir = await makeTempSite({
    "articles/2025-04-01-relative-links.md": article({ title: "Relative links", date: "2025-04-01" }, BODY),
  });
  feeds = await buildFeeds(dir);
});

describe("relative links and images in an article body", () => {
  it.each<FormatKey>(["rss", "atom", "json"])("come out absolute, resolved against the permalink, in %s", (format) => {
    const [item] = readWithFeedsmith(format, feeds[format]);
    expect(item?.link).toBe(PERMALINK);
    expect(urlsInHtml(item?.html ?? "")).toEqual(EXPECTED_URLS);
  });

  it("keep their srcset descriptors (1x, 2x)", () => {
    for (const format of ["rss", "atom", "json"] as const) {
      expect(readWithFeedsmith(format, feeds[format])[0]?.html).toContain(`srcset="${PERMALINK}a.png 1x, ${PERMALINK}b.png 2x"`);
    }
  });

  it("leave no relative href, src, srcset or poster in any HTML payload of any format", () => {
    const payloads = htmlPayloads(feeds);
    // RSS description + content:encoded, Atom title + summary + content, JSON content_html.
    expect(payloads.map((payload) => payload.where)).toEqual([
      "rss item 1 <description>",
      "rss item 1 <content:encoded>",
      "atom entry 1 <title>",
      "atom entry 1 <summary>",
      "atom entry 1 <content>",
      "json item 1 content_html",
    ]);
    const relative = payloads.flatMap(({ where, html }) =>
      urlsInHtml(html).filter(({ url }) => !isAbsoluteUrl(url)).map(({ attribute, url }) => `${where}: ${attribute}="${url}"`),
    );
    expect(relative).toEqual([]);
    expect(payloads.flatMap(({ html }) => urlsInHtml(html))).toHaveLength(EXPECTED_URLS.length * 3);
  });

  it("the check is not vacuous: it flags relative, root-relative, protocol-relative and fragment URLs", () => {
    const html = '<a href="a/">a</a><img src="/b.png" srcset="//cdn.example/c.png 2x"><a href="#d">d</a><video poster="e.jpg"></video>';
    expect(urlsInHtml(html).filter(({ url }) => !isAbsoluteUrl(url))).toHaveLength(5);
  });
});
