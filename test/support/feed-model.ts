/** A minimal feed item and feed model, for tests that hand generators and the gate a model directly. */
import type { FeedItem, FeedModel } from "../../src/model/types.ts";

export const baseItem: FeedItem = {
  id: "https://example.com/0",
  url: "https://example.com/0",
  permalink: "https://example.com/0",
  title: "T",
  summary: "S",
  html: "",
  fullContent: true,
  published: new Date(0),
  updated: new Date(0),
  authors: [{ name: "A" }],
  tags: [],
  section: undefined,
  image: undefined,
  enclosure: undefined,
  lang: undefined,
  file: "articles/a.md",
};

export const baseModel: FeedModel = {
  kind: "main",
  id: "tag:example.com,2025:feed",
  title: "T",
  description: "D",
  homePageUrl: "https://example.com/",
  language: "en",
  authors: [{ name: "A" }],
  updated: new Date(0),
  links: { rss: "https://example.com/rss.xml", atom: "https://example.com/atom.xml", json: "https://example.com/feed.json" },
  hubs: [],
  complete: false,
  archive: undefined,
  items: [],
};
