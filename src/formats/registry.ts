import type { FeedModel, FormatKey } from "../model/types.ts";
import { generateAtom } from "./atom.ts";
import { generateJsonFeed } from "./json-feed.ts";
import { generateRss } from "./rss.ts";

export interface Format {
  key: FormatKey;
  mediaType: string;
  kind: "xml" | "json";
  generate: (model: FeedModel) => string;
}

/** Every format wirefeed writes, in the order files are listed. */
export const FORMATS: readonly Format[] = [
  { key: "rss", mediaType: "application/rss+xml", kind: "xml", generate: generateRss },
  { key: "atom", mediaType: "application/atom+xml", kind: "xml", generate: generateAtom },
  { key: "json", mediaType: "application/feed+json", kind: "json", generate: generateJsonFeed },
];
