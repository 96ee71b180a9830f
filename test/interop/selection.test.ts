import { describe, expect, it } from "vitest";
import { FIXED_NOW, article, buildFeeds, makeTempSite } from "../helpers.ts";
import { idsOf } from "./read-feeds.ts";

/** Builds run at FIXED_NOW (2026-01-01T00:00:00Z). */
const FILES = {
  "articles/2025-06-01-published.md": article({ title: "Published", date: "2025-06-01T12:00:00Z" }),
  "articles/2025-07-01-draft.md": article({ title: "Draft", date: "2025-07-01T12:00:00Z", draft: true }),
  "articles/2026-03-01-future.md": article({ title: "Future", date: "2026-03-01T12:00:00Z" }),
};
const PUBLISHED = "tag:example.com,2025:2025-06-01/published";
const DRAFT = "tag:example.com,2025:2025-07-01/draft";
const FUTURE = "tag:example.com,2025:2026-03-01/future";

const inAllFormats = (ids: string[]) => ({ rss: ids, atom: ids, json: ids });

describe("drafts and future-dated articles", () => {
  it(`are absent from all three feeds by default (built at ${FIXED_NOW})`, async () => {
    const feeds = await buildFeeds(await makeTempSite(FILES));
    expect(idsOf(feeds)).toEqual(inAllFormats([PUBLISHED]));
  });

  it("--drafts adds the draft, not the future article", async () => {
    const feeds = await buildFeeds(await makeTempSite(FILES), ["--drafts"]);
    expect(idsOf(feeds)).toEqual(inAllFormats([DRAFT, PUBLISHED]));
  });

  it("--future adds the future article, not the draft", async () => {
    const feeds = await buildFeeds(await makeTempSite(FILES), ["--future"]);
    expect(idsOf(feeds)).toEqual(inAllFormats([FUTURE, PUBLISHED]));
  });

  it("--drafts --future add both", async () => {
    const feeds = await buildFeeds(await makeTempSite(FILES), ["--drafts", "--future"]);
    expect(idsOf(feeds)).toEqual(inAllFormats([FUTURE, DRAFT, PUBLISHED]));
  });
});
