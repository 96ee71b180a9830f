import { SaxesParser } from "saxes";

/**
 * Strict, namespace-aware well-formedness check (saxes, no recovery) of a document, whole or in
 * pieces. Returns the first error as
 * `line:column: message`, or undefined when the document is well-formed.
 *
 * In pieces (`Format.generateParts`: the document cut at each item's HTML, which sits in a CDATA
 * section), a piece that the pieces around it put inside `<![CDATA[` … `]]>` is not parsed: it is
 * checked to be CDATA content (`isCdataContent`), and the rest of the document is parsed with that
 * section left empty. The two together hold exactly when the whole document is well-formed, since
 * what a CDATA section holds changes nothing around it (issue 7: saxes spent most of its time
 * stepping through the HTML). When a piece fails that check, the whole document is parsed in
 * pieces after all, for the same answer and message as ever.
 */
export function checkXml(text: string | readonly string[]): string | undefined {
  if (typeof text === "string") return parseXml([text]);
  const envelope: string[] = [];
  for (let index = 0; index < text.length; index++) {
    const part = text[index] as string;
    const inCdata = index % 2 === 1 && text[index - 1]?.endsWith("<![CDATA[") && text[index + 1]?.startsWith("]]>");
    if (!inCdata) envelope.push(part);
    else if (!isCdataContent(part)) return parseXml(text);
  }
  // A failure's line and column are those of the whole document.
  return parseXml(envelope) === undefined ? undefined : parseXml(text);
}

function parseXml(parts: readonly string[]): string | undefined {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let failure: string | undefined;
  parser.on("error", (error) => {
    failure ??= error.message;
  });
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
