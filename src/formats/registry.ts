import type { FeedModel, FormatKey, LazyDocument } from "../model/types.ts";
import { generateAtom, generateAtomParts } from "./atom.ts";
import { generateJsonFeed, generateJsonFeedParts, generateJsonFeedPieces } from "./json-feed.ts";
import { generateRss, generateRssParts } from "./rss.ts";

export interface Format {
  key: FormatKey;
  mediaType: string;
  kind: "xml" | "json";
  generate: (model: FeedModel) => string;
  /**
   * The same text in pieces, never joined (issue 7): for XML, text and HTML in turn; for JSON,
   * document text and string literals in turn (a literal at every odd index).
   */
  generateParts: (model: FeedModel) => string[];
  /** JSON only: the same pieces, each string literal made only when asked for. */
  generatePieces?: (model: FeedModel) => LazyDocument;
}

/** Every format wirefeed writes, in the order files are listed. */
export const FORMATS: readonly Format[] = [
  { key: "rss", mediaType: "application/rss+xml", kind: "xml", generate: generateRss, generateParts: generateRssParts },
  { key: "atom", mediaType: "application/atom+xml", kind: "xml", generate: generateAtom, generateParts: generateAtomParts },
  { key: "json", mediaType: "application/feed+json", kind: "json", generate: generateJsonFeed, generateParts: generateJsonFeedParts, generatePieces: generateJsonFeedPieces },
];
