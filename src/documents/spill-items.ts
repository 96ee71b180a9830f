/**
 * A feed written as its items render (issue 7): a feed of 10,000 full items held all their HTML,
 * about 200 MB as strings, from the first render until its three documents were written, and one
 * of 100,000 items held 2 GB. Here each item's HTML is checked for the documents, written to a
 * spill file as the bytes the documents hold (the content of a CDATA section for RSS and Atom,
 * a string literal for the JSON Feed) and let go; the model keeps a stand-in for it. Once every
 * item is in, the documents are made around the stand-ins, gated, and each stand-in becomes the
 * spilled bytes it stands for, so the documents are byte for byte what `generateDocument` makes.
 */
import { toCdataContent } from "../formats/feed-workarounds.ts";
import type { Format } from "../formats/registry.ts";
import { gateItemHtml, gateJsonFeedPieces, gateOutput } from "../gate/gate-output.ts";
import type { FeedItem, FeedModel, FormatKey } from "../model/types.ts";
import { type DocumentPiece, measureParts } from "../output/write.ts";
import type { Spill, SpilledPiece } from "../output/spill.ts";
import type { GeneratedDocument } from "./generate-document.ts";

/** A noncharacter: no input holds one (they are stripped), and neither the formats nor the gate change it. */
const STAND_IN = "\uFDD3";
const STAND_IN_PATTERN = /^\uFDD3(\d+)\uFDD3$/;

export interface SpilledItems {
  /**
   * Take the next item, in feed order: its HTML, if it carries full content, is checked and
   * spilled. Returns the item as the model keeps it, with a stand-in for its HTML.
   */
  add(item: FeedItem): FeedItem;
  /** `format`'s document of `model` (made of the items `add` returned), gated, with every item's HTML in place. */
  generate(format: Format, model: FeedModel): GeneratedDocument;
}

/**
 * Items spilled to `spill` for the feed whose documents are at `paths`. `collectGarbage`, when
 * given, is called before each document is made and again before it is gated: making and gating
 * the text of 50,000 items left 300 MB or more of garbage each, which V8 did not collect before
 * the next step added its own (issue 7: 1.58 GB at the peak, 1.0 GB with these collections).
 */
export function spillItems(spill: Spill, paths: Record<FormatKey, string>, collectGarbage?: () => void): SpilledItems {
  /** Per item added with full content: its CDATA content and its JSON string literal, spilled. */
  const pieces: { cdata: SpilledPiece; literal: SpilledPiece }[] = [];
  const pieceOf = (standIn: string) => {
    const index = STAND_IN_PATTERN.exec(standIn)?.[1];
    const found = index === undefined ? undefined : pieces[Number(index)];
    if (!found) throw new Error(`a spilled item's stand-in is missing or unknown: ${JSON.stringify(standIn.slice(0, 40))}`);
    return found;
  };
  return {
    add(item) {
      if (!item.fullContent) return { ...item, html: "" };
      const cdata = toCdataContent(item.html);
      const literal = JSON.stringify(item.html);
      gateItemHtml(item, { xml: paths.rss, json: paths.json }, cdata, literal);
      const html = `${STAND_IN}${pieces.length}${STAND_IN}`;
      pieces.push({ cdata: spill.append(cdata), literal: spill.append(literal) });
      return { ...item, html };
    },
    generate(format, model) {
      const path = paths[format.key];
      const gate = { path, items: model.items, regenerate: (items: FeedItem[]) => format.generate({ ...model, items }) };
      const withContent = model.items.filter((item) => item.fullContent);
      let parts: DocumentPiece[];
      let placed = 0;
      collectGarbage?.();
      if (format.generatePieces) {
        const document = format.generatePieces(model);
        collectGarbage?.();
        gateJsonFeedPieces({ ...gate, document, take: () => undefined });
        if (document.texts.length !== withContent.length + 1) throw new Error(`${path}: ${document.texts.length - 1} literals for ${withContent.length} items`);
        parts = document.texts.flatMap((text, index) => (index === 0 ? [text] : [pieceOf((withContent[index - 1] as FeedItem).html).literal, text]));
        placed = withContent.length;
      } else {
        const text = format.generateParts(model);
        collectGarbage?.();
        gateOutput({ ...gate, kind: format.kind, contents: text });
        parts = text.map((part) => {
          if (!part.startsWith(STAND_IN)) return part;
          placed++;
          return pieceOf(part).cdata;
        });
      }
      // Every item's HTML exactly once: a stand-in left in the text, or one too many, is a bug.
      if (placed !== withContent.length || parts.some((part) => typeof part === "string" && part.includes(STAND_IN))) {
        throw new Error(`${path}: placed ${placed} spilled items' HTML for ${withContent.length} items`);
      }
      return { parts, bytes: measureParts(parts) };
    },
  };
}
