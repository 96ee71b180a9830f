import { WirefeedError } from "../errors.ts";
import type { FeedItem, LazyDocument } from "../model/types.ts";
import { checkJsonFeed, checkJsonFeedParts, checkJsonFeedTexts, isJsonString } from "./check-json-feed.ts";
import { checkXml, isCdataContent } from "./check-xml.ts";

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
  if (problems.length > 0) throw gateFailure(input, problems);
}

export interface JsonPiecesGateInput extends Omit<GateInput, "kind" | "contents"> {
  /** The JSON Feed as text around its string literals (`Format.generatePieces`). */
  document: LazyDocument;
  /** Given each literal, in order, once it is checked: the caller keeps what it needs of it. */
  take: (literal: string, index: number) => void;
}

/**
 * `gateOutput` of a JSON Feed whose string literals are made one at a time, with the same
 * verdict as on its pieces (`checkJsonFeedParts`): the text with `""` for each literal gets the
 * schema check, then each literal is made, checked to be one JSON string and handed to `take`,
 * so that a large feed's literals are never all held at once (issue 7).
 */
export function gateJsonFeedPieces(input: JsonPiecesGateInput): void {
  const { texts, literal } = input.document;
  const problems = checkJsonFeedTexts(texts);
  for (let index = 0; index < texts.length - 1; index++) {
    const piece = literal(index);
    if (isJsonString(piece)) input.take(piece, index);
    else problems.push(`piece ${2 * index + 1} is not one JSON string`);
  }
  if (problems.length > 0) throw gateFailure({ ...input, kind: "json" }, problems);
}

/**
 * The checks `gateOutput` makes of one item's HTML (`html`, as the item's documents hold it: the
 * content of a CDATA section in XML, `cdata`, and a string literal in JSON, `literal`), made on
 * their own for a feed written as its items render (issue 7), whose documents are gated with a
 * stand-in for each item's HTML. A failure names the item's file, as `gateOutput` does.
 */
export function gateItemHtml(item: FeedItem, paths: { xml: string; json: string }, cdata: string, literal: string): void {
  const failure = !isCdataContent(cdata)
    ? { path: paths.xml, problem: "an item's HTML is not CDATA content" }
    : !isJsonString(literal)
      ? { path: paths.json, problem: "an item's HTML is not one JSON string" }
      : undefined;
  if (failure) throw gateError(failure.path, [failure.problem], item);
}

function gateFailure(input: Omit<GateInput, "contents">, problems: readonly string[]): WirefeedError {
  const culprit = input.items.find((item) => problemsOf(input.kind, input.regenerate([item])).length > 0);
  return gateError(input.path, problems, culprit);
}

function gateError(path: string, problems: readonly string[], culprit: FeedItem | undefined): WirefeedError {
  return new WirefeedError("GATE_FAILED", `generated ${path} is not valid: ${problems.slice(0, 3).join("; ")}`, {
    ...(culprit ? { file: culprit.file } : {}),
    hint: "this is a bug in wirefeed: nothing was written. Please report it with the article named above.",
  });
}
