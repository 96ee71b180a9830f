import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildFeeds, makeTempSite } from "../helpers.ts";
import { FEEDPARSER_REQUIRED, feedparserAvailable, jsonItems, readWithFeedparser, textOfHtml } from "./read-feeds.ts";
import { HOSTILE_FILES, HOSTILE_TITLES, SAMPLE_FILES } from "./sites.ts";

/**
 * Python feedparser is the reference reader of the standards brief. Locally it may be missing:
 * the tests then skip and say so. In CI (.ci/run installs it) a missing feedparser fails them.
 */
const available = feedparserAvailable();
const inCi = process.env.CI === "true";
if (!available && !inCi) {
  console.warn("[skipped] Python feedparser tests: python3-feedparser is not installed (apt-get install python3-feedparser).");
}

/** Build a site; return its JSON items and feedparser's reading of its RSS and Atom files. */
async function readSite(files: Record<string, string>) {
  if (!available) throw new Error(FEEDPARSER_REQUIRED);
  const dir = await makeTempSite(files);
  const feeds = await buildFeeds(dir);
  return {
    json: jsonItems(feeds.json),
    rss: readWithFeedparser(path.join(dir, "dist", "rss.xml")),
    atom: readWithFeedparser(path.join(dir, "dist", "atom.xml")),
  };
}

describe.skipIf(!available && !inCi)("Python feedparser reads RSS and Atom back", () => {
  it("without bozo, with the JSON feed's ids, titles, links, publish instants and author names", async () => {
    const { json, rss, atom } = await readSite(SAMPLE_FILES);
    for (const [name, result, version] of [["rss", rss, "rss20"], ["atom", atom, "atom10"]] as const) {
      expect({ bozo: result.bozo, exception: result.bozoException, version: result.version }, name).toEqual({
        bozo: 0,
        exception: "",
        version,
      });
      expect(result.items.map(({ id, title, link }) => ({ id, title, link })), name).toEqual(
        json.map((item) => ({ id: item.id, title: item.title, link: item.url })),
      );
      expect(result.items.map((item) => item.published), name).toEqual(json.map((item) => Date.parse(item.date_published ?? "")));
      expect(result.items.map((item) => item.authors), name).toEqual(json.map((item) => (item.authors ?? []).map((a) => a.name)));
    }
  });

  it("reads hostile titles exactly from Atom, and from RSS as text it labels HTML only when it looks like HTML", async () => {
    const { json, rss, atom } = await readSite(HOSTILE_FILES);
    for (const [name, result] of [["rss", rss], ["atom", atom]] as const) {
      expect(result.bozo, name).toBe(0);
      expect(result.items.map(({ id, link }) => ({ id, link })), name).toEqual(json.map((item) => ({ id: item.id, link: item.url })));
      expect(textOfHtml(result.items[2]?.html ?? "").split("]]>"), name).toHaveLength(3);
    }
    expect(atom.items.map((item) => item.title)).toEqual(HOSTILE_TITLES);
    // feedparser keeps the RSS title text exact but guesses its type: the literal &amp; makes the
    // hostile title "look like HTML" (the RSS title ambiguity, see hostile-text.test.ts).
    expect(rss.rawTitles).toEqual([
      { value: HOSTILE_TITLES[0], type: "text/plain" },
      { value: HOSTILE_TITLES[1], type: "text/plain" },
      { value: HOSTILE_TITLES[2], type: "text/html" },
    ]);
  });
});
