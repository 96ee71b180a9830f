import { rename } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { article, buildFeeds, makeTempSite } from "../helpers.ts";
import { type FeedTexts, childOf, idsOf, jsonItems, xmlItems } from "./read-feeds.ts";

/** Three ways to get an id: derived (tag: URI), an explicit urn:uuid:, an explicit id equal to the permalink. */
const FILES = {
  "articles/2025-02-01-derived.md": article({ title: "Derived id", date: "2025-02-01T12:00:00Z" }),
  "articles/2025-02-02-uuid.md": article({
    title: "UUID id",
    date: "2025-02-02T12:00:00Z",
    id: "urn:uuid:6f1c2d3e-8a4b-4c5d-9e6f-0a1b2c3d4e5f",
  }),
  "articles/2025-02-03-perma.md": article({
    title: "Permalink id",
    date: "2025-02-03T12:00:00Z",
    id: "https://example.com/blog/posts/perma/",
  }),
};

const IDS = [
  "https://example.com/blog/posts/perma/",
  "urn:uuid:6f1c2d3e-8a4b-4c5d-9e6f-0a1b2c3d4e5f",
  "tag:example.com,2025:2025-02-01/derived",
];

/** Per RSS item: guid text, its isPermaLink attribute ("(absent)" when not written) and the link. */
function guids(feeds: FeedTexts) {
  return xmlItems("rss", feeds.rss).map((item) => {
    const guid = childOf(item, "guid");
    return { guid: guid?.text, isPermaLink: guid?.attributes.isPermaLink ?? "(absent)", link: childOf(item, "link")?.text };
  });
}

describe("item ids", () => {
  it("are the identical string in RSS guid, Atom id and JSON id", async () => {
    const feeds = await buildFeeds(await makeTempSite(FILES));
    expect(idsOf(feeds)).toEqual({ rss: IDS, atom: IDS, json: IDS });
  });

  it('mark the RSS guid isPermaLink="false" unless it is the permalink', async () => {
    const feeds = await buildFeeds(await makeTempSite(FILES));
    expect(guids(feeds)).toEqual([
      { guid: IDS[0], isPermaLink: "true", link: "https://example.com/blog/posts/perma/" },
      { guid: IDS[1], isPermaLink: "false", link: "https://example.com/blog/posts/uuid/" },
      { guid: IDS[2], isPermaLink: "false", link: "https://example.com/blog/posts/derived/" },
    ]);
  });

  it("do not change when the site moves (--site-url https://other.example.org/news/)", async () => {
    const dir = await makeTempSite(FILES);
    const before = await buildFeeds(dir);
    const after = await buildFeeds(dir, ["--site-url", "https://other.example.org/news/"]);
    expect(idsOf(after)).toEqual(idsOf(before));
    // The move did happen: links follow the new site URL.
    expect(jsonItems(after.json).map((item) => item.url)).toEqual([
      "https://other.example.org/news/posts/perma/",
      "https://other.example.org/news/posts/uuid/",
      "https://other.example.org/news/posts/derived/",
    ]);
    // The old permalink, kept as the id, is no longer the link: no longer a permalink guid.
    expect(guids(after)[0]).toEqual({ guid: IDS[0], isPermaLink: "false", link: "https://other.example.org/news/posts/perma/" });
  });

  it("do not change when the file is renamed but keeps its slug:", async () => {
    const dir = await makeTempSite({
      "articles/2025-02-01-first-name.md": article({ title: "Renamed", date: "2025-02-01T12:00:00Z", slug: "story" }),
    });
    const before = await buildFeeds(dir);
    await rename(path.join(dir, "articles/2025-02-01-first-name.md"), path.join(dir, "articles/2025-02-01-second-name.md"));
    const after = await buildFeeds(dir);
    const id = "tag:example.com,2025:2025-02-01/story";
    expect(idsOf(before)).toEqual({ rss: [id], atom: [id], json: [id] });
    expect(idsOf(after)).toEqual(idsOf(before));
    expect(after.json).toBe(before.json);
  });
});
