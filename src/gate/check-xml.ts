import { SaxesParser } from "saxes";

/**
 * Strict, namespace-aware well-formedness check (saxes, no recovery) of a document, whole or in
 * pieces. Returns the first error as
 * `line:column: message`, or undefined when the document is well-formed.
 *
 * In pieces (`Format.generateParts`: the document cut at each item's HTML, which sits in a CDATA
 * section), a piece that the pieces around it put inside `<![CDATA[` … `]]>` is not parsed: it is
 * checked to be CDATA content (`isCdataContent`), and the rest of the document is parsed with that
 * section left empty (issue 7: saxes spent most of its time stepping through the HTML). The parse
 * must report a CDATA section ending at each such place, so a `<![CDATA[` that is only text in a
 * comment, a processing instruction or the DOCTYPE does not count. What a CDATA section holds
 * changes nothing around it, so the two checks together hold exactly when the whole document is
 * well-formed. Only an XML 1.0 document is checked this way (`isCdataContent` knows its
 * characters). When anything fails, the whole document is parsed in pieces after all, for the
 * same answer and message as ever.
 */
export function checkXml(text: string | readonly string[]): string | undefined {
  if (typeof text === "string") return parseXml([text]);
  const skips = text[0]?.startsWith('<?xml version="1.0"') === true;
  const envelope: string[] = [];
  /** Where, in the parts parsed, a CDATA section must end: just after each skipped piece's `]]>`. */
  const unconfirmed = new Set<number>();
  let parsed = 0;
  for (let index = 0; index < text.length; index++) {
    const part = text[index] as string;
    const inCdata = skips && index % 2 === 1 && text[index - 1]?.endsWith(CDATA_START) && text[index + 1]?.startsWith(CDATA_END);
    if (!inCdata) {
      envelope.push(part);
      parsed += part.length;
    } else if (isCdataContent(part)) unconfirmed.add(parsed + CDATA_END.length);
    else return parseXml(text);
  }
  const failure = parseXml(envelope, (end) => unconfirmed.delete(end));
  // A failure's line and column are those of the whole document.
  return failure === undefined && unconfirmed.size === 0 ? undefined : parseXml(text);
}

/** Parse the parts one after another; `onCdata` hears where each CDATA section ends (UTF-16 offset). */
function parseXml(parts: readonly string[], onCdata?: (end: number) => void): string | undefined {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let failure: string | undefined;
  parser.on("error", (error) => {
    failure ??= error.message;
  });
  if (onCdata) parser.on("cdata", () => onCdata(parser.position));
  try {
    // A document in pieces is parsed piece by piece, never joined (issue 7).
    for (const part of parts) parser.write(part);
    parser.close();
  } catch (error) {
    failure ??= (error as Error).message;
  }
  return failure;
}

/** A character XML 1.0 does not allow (a lone surrogate is one). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** A code unit that may be part of one: a quick first look, three times as fast as the exact one. */
const MAYBE_NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const CDATA_END = "]]>";
const CDATA_START = "<![CDATA[";

/**
 * Whether `text`, between `<![CDATA[` and `]]>`, makes well-formed CDATA sections: XML characters
 * only, and each `]]>` in it straight away followed by `<![CDATA[` (how a `]]>` in HTML is split).
 */
export function isCdataContent(text: string): boolean {
  if (MAYBE_NOT_XML_CHAR.test(text) && NOT_XML_CHAR.test(text)) return false;
  for (let at = text.indexOf(CDATA_END); at !== -1; at = text.indexOf(CDATA_END, at + CDATA_END.length)) {
    if (!text.startsWith(CDATA_START, at + CDATA_END.length)) return false;
  }
  return true;
}
