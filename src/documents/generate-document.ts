/**
 * One feed document made and gated, as the build stages it: shared by the main thread and the
 * document workers (document-worker.ts), so that both give the same bytes and the same errors.
 */
import { FORMATS, type Format } from "../formats/registry.ts";
import { gateJsonFeedPieces, gateOutput } from "../gate/gate-output.ts";
import type { FeedItem, FeedModel, FormatKey } from "../model/types.ts";
import { type DocumentPiece, groupParts, measureParts } from "../output/write.ts";

export interface GeneratedDocument {
  /** The document in pieces: text, or UTF-8 already encoded. */
  parts: DocumentPiece[];
  /** Its length in UTF-8 bytes. */
  bytes: number;
}

/**
 * `format`'s document of `model`, gated. In pieces, never joined: a feed of 10,000 full items
 * would be a string of 100 MB or more, copied again to be gated and to be written (issue 7).
 * With `encodeLiterals`, the JSON Feed's string literals are made, gated and encoded one at a
 * time and let go (a large feed's literals, as strings, were as large as all its HTML again);
 * without it every piece is text (a dry run returns the text anyway).
 */
export function generateDocument(format: Format, model: FeedModel, path: string, options: { encodeLiterals: boolean }): GeneratedDocument {
  const gate = { path, items: model.items, regenerate: (items: FeedItem[]) => format.generate({ ...model, items }) };
  let parts: DocumentPiece[];
  if (options.encodeLiterals && format.generatePieces) {
    const document = format.generatePieces(model);
    const literals: Buffer[] = [];
    gateJsonFeedPieces({ ...gate, document, take: (literal) => literals.push(Buffer.from(literal, "utf8")) });
    parts = document.texts.flatMap((text, index) => (index === 0 ? [text] : [literals[index - 1] as Buffer, text]));
  } else {
    const text = format.generateParts(model);
    gateOutput({ ...gate, kind: format.kind, contents: text });
    parts = text;
  }
  return { parts, bytes: measureParts(parts) };
}

/**
 * Every format's document of `model`, gated and encoded as one run of UTF-8 bytes each, in
 * FORMATS order: what a document worker sends back. Each array has a buffer of its own (never a
 * slice of Node's shared pool), so it can be transferred rather than copied.
 */
export function generateEncodedDocuments(model: FeedModel, paths: Record<FormatKey, string>): Uint8Array[] {
  return FORMATS.map((format) => {
    const { parts, bytes } = generateDocument(format, model, paths[format.key], { encodeLiterals: true });
    const encoded = new Uint8Array(bytes);
    let offset = 0;
    for (const chunk of groupParts(parts)) {
      encoded.set(chunk, offset);
      offset += chunk.length;
    }
    if (offset !== bytes) throw new Error(`${paths[format.key]}: encoded ${offset} bytes, expected ${bytes}`);
    return encoded;
  });
}
