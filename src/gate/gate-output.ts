import { WirefeedError } from "../errors.ts";
import type { FeedItem } from "../model/types.ts";
import { checkJsonFeed, checkJsonFeedParts } from "./check-json-feed.ts";
import { checkXml } from "./check-xml.ts";

export interface GateInput {
  /** Output path, for the message. */
  path: string;
  kind: "xml" | "json";
  /** The document, whole or in pieces (see `Format.generateParts`). */
  contents: string | readonly string[];
  items: readonly FeedItem[];
  /** The same document holding only the given items: used to find the article at fault. */
  regenerate: (items: FeedItem[]) => string;
}

function problemsOf(kind: "xml" | "json", text: string | readonly string[]): string[] {
  if (kind === "json") return typeof text === "string" ? checkJsonFeed(text) : checkJsonFeedParts(text);
  const failure = checkXml(text);
  return failure === undefined ? [] : [failure];
}

/**
 * The last check before anything is written: strict XML parse or the JSON Feed 1.1 schema.
 * A failure is a wirefeed bug, reported with the article that triggers it.
 */
export function gateOutput(input: GateInput): void {
  const problems = problemsOf(input.kind, input.contents);
  if (problems.length === 0) return;
  const culprit = input.items.find((item) => problemsOf(input.kind, input.regenerate([item])).length > 0);
  throw new WirefeedError("GATE_FAILED", `generated ${input.path} is not valid: ${problems.slice(0, 3).join("; ")}`, {
    ...(culprit ? { file: culprit.file } : {}),
    hint: "this is a bug in wirefeed: nothing was written. Please report it with the article named above.",
  });
}
