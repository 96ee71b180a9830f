/** A "&" that starts no reference, outside CDATA sections and comments. */
export interface RawAmpersand {
  /** 1-based line. */
  line: number;
  /** The "&" and the eleven characters after it. */
  excerpt: string;
}

/**
 * Where a scan starts: the offset in the text, and whether CDATA sections and comments are still
 * looked for (once one is found never to close, no later one closes either).
 */
export interface RawAmpersandScanStart {
  from: number;
  cdata: boolean;
  comments: boolean;
}

export type RawAmpersandScanEnd =
  | { found: RawAmpersand | undefined }
  /** A CDATA section or comment opened and never closed: the text is to be scanned again from `restart`, reading that opening as text. */
  | { restart: RawAmpersandScanStart };

/** A reference, after its "&". */
const REFERENCE = /#\d+;|#x[0-9a-fA-F]+;|[A-Za-z_][\w.-]*;/y;
/** What may yet become a reference once more text comes. */
const PARTIAL_REFERENCE = /#x[0-9a-fA-F]*|#\d*|[A-Za-z_][\w.-]*/y;
const EXCERPT = 12;

const countLines = (text: string): number => {
  let count = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
  return count;
};

/**
 * The first "&" of a text given in pieces that starts no reference (`&amp;`, `&#38;`, `&#x26;`),
 * outside CDATA sections and comments, as a single pass of the expression
 * `<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|&(?!…)` over the whole text finds it, holding only the
 * piece being read. Looking stops past `untilLine`: an "&" after it is not reported.
 */
export function createRawAmpersandScan(untilLine: number, start: RawAmpersandScanStart = { from: 0, cdata: true, comments: true }) {
  /** Text read but not yet passed. */
  let buffer = "";
  /** Offset of `buffer` in the text, and the line it starts on. */
  let base = 0;
  let line = 1;
  let toSkip = start.from;
  /** The CDATA section or comment being passed, and the offset of its "<". */
  let inside: { close: string; at: number } | undefined;
  let end: RawAmpersandScanEnd | undefined;

  const pass = (count: number) => {
    line += countLines(buffer.slice(0, count));
    base += count;
    buffer = buffer.slice(count);
  };

  /** Scan the buffer as far as it can be without more text; `final` when no more comes. */
  const scan = (final: boolean) => {
    let at = 0;
    for (;;) {
      if (inside) {
        const close = buffer.indexOf(inside.close, at);
        if (close === -1) {
          if (final) {
            const cdata = inside.close === "]]>";
            end = { restart: { from: inside.at + 1, cdata: start.cdata && !cdata, comments: start.comments && cdata } };
            return;
          }
          at = Math.max(at, buffer.length - inside.close.length + 1);
          break;
        }
        at = close + inside.close.length;
        inside = undefined;
        continue;
      }
      const special = /[&<]/g;
      special.lastIndex = at;
      const match = special.exec(buffer);
      if (match === null) {
        at = buffer.length;
        break;
      }
      const index = match.index;
      const rest = buffer.slice(index, index + 9);
      if (rest[0] === "<") {
        const opening = start.cdata && rest.startsWith("<![CDATA[") ? "<![CDATA[" : start.comments && rest.startsWith("<!--") ? "<!--" : undefined;
        if (opening !== undefined) {
          inside = { close: opening === "<!--" ? "-->" : "]]>", at: base + index };
          at = index + opening.length;
          continue;
        }
        const partial = (start.cdata && "<![CDATA[".startsWith(rest)) || (start.comments && "<!--".startsWith(rest));
        if (partial && !final) {
          at = index;
          break;
        }
        at = index + 1;
        continue;
      }
      REFERENCE.lastIndex = index + 1;
      if (REFERENCE.test(buffer)) {
        at = index + 1;
        continue;
      }
      PARTIAL_REFERENCE.lastIndex = index + 1;
      const mayBeReference = index + 1 === buffer.length || (PARTIAL_REFERENCE.test(buffer) && PARTIAL_REFERENCE.lastIndex === buffer.length);
      if (!final && (mayBeReference || buffer.length < index + EXCERPT)) {
        at = index;
        break;
      }
      pass(index);
      end = line > untilLine ? { found: undefined } : { found: { line, excerpt: buffer.slice(0, EXCERPT) } };
      return;
    }
    pass(at);
    // Past the line in text, any "&" still to come is after it.
    if (!inside && line > untilLine) end = { found: undefined };
  };

  return {
    /** True once the answer is known: no more text is needed. */
    get done(): boolean {
      return end !== undefined;
    },
    write(text: string): void {
      if (end) return;
      let piece = text;
      if (toSkip > 0) {
        const skipped = piece.slice(0, toSkip);
        line += countLines(skipped);
        base += skipped.length;
        toSkip -= skipped.length;
        piece = piece.slice(skipped.length);
      }
      buffer += piece;
      scan(false);
    },
    end(): RawAmpersandScanEnd {
      if (!end) scan(true);
      return end ?? { found: undefined };
    },
  };
}
