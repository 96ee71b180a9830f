import { describe, expect, it } from "vitest";
import { compareFeedItems, listFirstBuild } from "../../src/cli/compare-feed-items.ts";
import { build } from "../../src/pipeline.ts";
import { FIXED_NOW, article, makeTempSite } from "../helpers.ts";

describe("the changes of a first build", () => {
  // Catches: a first-build summary read from the model that differs from parsing feed.json
  // (order, ids, titles, or something other than "added").
  it("are the feed's items, as parsing the written feed.json gives them", async () => {
    const dir = await makeTempSite({
      "articles/a.md": article({ title: "Q&A: \"quoted\" <b>", date: "2025-05-03T10:00:00Z" }),
      "articles/b.md": article({ title: "México hoy", date: "2025-05-04T10:00:00Z", id: "https://example.com/ids/b" }),
      "articles/c.md": article({ title: "Third", date: "2025-05-02T10:00:00Z" }),
    });
    const result = await build({ cwd: dir, now: new Date(FIXED_NOW), write: false });
    const json = result.files.find((file) => file.path === "feed.json")?.contents as string;
    const fromModel = listFirstBuild(result.model?.items ?? []);
    expect(fromModel).toEqual(compareFeedItems(undefined, json));
    expect(fromModel.added.map((item) => item.title)).toEqual(["México hoy", 'Q&A: "quoted" <b>', "Third"]);
  });
});
