/**
 * Value shaping for the `feed@6` package (used by rss.ts and atom.ts), one function per verified
 * defect in shared/docs/feed-standards.md §1.3. Each is covered by test/unit/feed-workarounds.test.ts.
 */

/** Marks a `<` inside an attribute value; swapped for `&lt;` after serialisation (D5). */
const LT_MARK = "\uFDD0";

/**
 * D6: xml-js turns a literal `&amp;` in a text node back into `&` before escaping, so the text
 * `Use &amp; here` would read back as `Use & here`. Doubling it is the exact inverse.
 */
export function protectText(text: string): string {
  return text.replaceAll("&amp;", "&amp;amp;");
}

/** HTML-escape plain text that goes where the format expects HTML (D7 titles, summaries). */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * D3 for plain text in CDATA (RSS titles), where `&gt;` would show literally: split every `]]>`
 * but the first into two CDATA sections ourselves; the library then splits the first one.
 */
export function cdataPlain(text: string): string {
  const first = text.indexOf("]]>");
  if (first === -1) return text;
  const head = text.slice(0, first + 3);
  return head + text.slice(first + 3).replaceAll("]]>", "]]]]><![CDATA[>");
}

/** D5: attributes the library writes without escaping `&` (RSS category domain, extensions). */
export function escapeUrlAttribute(url: string): string {
  return url.replaceAll("&", "&amp;");
}

/** D5: free text in an attribute the library escapes for `&` and `"` but not `<` (Atom category label). */
export function markAttributeText(text: string): string {
  return text.replaceAll(LT_MARK, "").replaceAll("<", LT_MARK);
}

/** Finish a serialised document: marked `<` restored, one final newline. */
export function finishXml(xml: string): string {
  return `${xml.replaceAll(LT_MARK, "&lt;")}\n`;
}

/** Escape a value for a double-quoted XML attribute we write ourselves. */
export function escapeXmlAttribute(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** `<name a="1" b="2"/>`, attributes in the given order, undefined ones left out. */
export function emptyElement(name: string, attributes: Record<string, string | number | undefined>): string {
  const parts = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(String(value))}"`);
  return `<${name}${parts.join("")}/>`;
}

const SLOT = "\uFDD1";
const CONTENT = "\uFDD2";

/**
 * Item HTML is handed to the library as a short marker and spliced in afterwards: xml-js copies,
 * scans and re-escapes every string it is given, which for full-content feeds is most of the
 * document (issue 7). The splice writes exactly what the library would: the HTML inside the
 * library's CDATA section, every `]]>` split across two sections (D3).
 */
export function contentMarker(index: number): string {
  return `${CONTENT}${index}${CONTENT}`;
}

/** Put each item's HTML where its marker stands. */
export function fillContent(xml: string, htmls: readonly string[]): string {
  return fillContentParts(xml, htmls).join("");
}

/**
 * `fillContent` without joining: the document as pieces, text and HTML in turn, so that a feed of
 * 10,000 full items is never one string of 100 MB or more (issue 7). The pieces are gated, counted
 * and written one after another.
 */
export function fillContentParts(xml: string, htmls: readonly string[]): string[] {
  const parts = xml.split(CONTENT);
  // parts alternate: text, index, text, index, …
  for (let index = 1; index < parts.length; index += 2) {
    parts[index] = toCdataContent(htmls[Number(parts[index])] ?? "");
  }
  return parts;
}

/** HTML as the content of a CDATA section: each `]]>` split across two sections. */
export function toCdataContent(html: string): string {
  return html.replaceAll("]]>", "]]]]><![CDATA[>");
}

/**
 * `finishXml(fillContent(xml, htmls))` as pieces: the marked `<` restored in the document before
 * the HTML goes in (HTML never holds the mark, a noncharacter: they are stripped), and the final
 * newline as a piece of its own.
 */
export function finishXmlParts(xml: string, htmls: readonly string[]): string[] {
  return [...fillContentParts(xml.replaceAll(LT_MARK, "&lt;"), htmls), "\n"];
}

/**
 * The library cannot write some elements we need (Atom enclosure links with real types,
 * RFC 5005 and hub links). We hand it a marker in an element it does write, `<rights>`, and swap
 * the whole element for our own XML afterwards. The marker uses a noncharacter that input can
 * never contain (stripped with the XML-invalid characters).
 */
export function slotMarker(index: number): string {
  return `${SLOT}${index}${SLOT}`;
}

/** Replace every `<rights>marker</rights>` with its fragments, one per line at the same indent. */
export function fillSlots(xml: string, slots: readonly string[][]): string {
  return xml.replace(new RegExp(`\\n( *)<rights>${SLOT}(\\d+)${SLOT}</rights>`, "g"), (_match, indent: string, index: string) =>
    (slots[Number(index)] ?? []).map((fragment) => `\n${indent}${fragment}`).join(""),
  );
}

/** Namespaces wirefeed may use, by prefix. */
export const NAMESPACES: Record<string, string> = {
  atom: "http://www.w3.org/2005/Atom",
  content: "http://purl.org/rss/1.0/modules/content/",
  dc: "http://purl.org/dc/elements/1.1/",
  fh: "http://purl.org/syndication/history/1.0",
  media: "http://search.yahoo.com/mrss/",
};

/**
 * Declare on the root element every known prefix the document uses but does not declare. The
 * library declares `dc:` only when some item has content (D14) and knows nothing of `fh:` or
 * `media:`; the strict gate would reject an unbound prefix.
 */
export function declareNamespaces(xml: string, rootName: string): string {
  const [before, after] = declareOnRoot(xml, rootName, (needle) => xml.includes(needle));
  return before + after;
}

/**
 * `xml` (which holds the root's start tag) with the declarations the whole document needs
 * (`uses(needle)`: whether it holds `needle`) added to that tag, cut just after them.
 */
function declareOnRoot(xml: string, rootName: string, uses: (needle: string) => boolean): [string, string] {
  const rootStart = xml.indexOf(`<${rootName}`);
  const rootEnd = xml.indexOf(">", rootStart);
  if (rootStart < 0 || rootEnd < 0) throw new Error(`no <${rootName}> start tag to declare namespaces on`);
  const root = xml.slice(rootStart, rootEnd);
  const missing = Object.entries(NAMESPACES)
    .filter(([prefix]) => uses(`<${prefix}:`) && !root.includes(`xmlns:${prefix}=`))
    .map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`)
    .join("");
  const selfClosing = root.endsWith("/");
  const head = selfClosing ? root.slice(0, -1) : root;
  return [xml.slice(0, rootStart) + head + missing, (selfClosing ? "/" : "") + xml.slice(rootEnd)];
}

/**
 * `finishXmlParts(declareNamespaces(head + items.map(writeItem).join("") + tail, rootName), htmls)`,
 * the same pieces, made without the whole text as one string (issue 7: a feed of 50,000 items made
 * that string of 65 million characters four times over, and held the garbage until the heap was
 * collected): the root start tag is in `head`, and each item's text holds its own content markers.
 * Each item's text is written, looked through for the prefixes it uses and cut into its pieces
 * before the next is written, so the texts are not all held beside their pieces (issue 7: the
 * Atom document of 50,000 items left 360 MB of heap in use when made, 120 MB of it its pieces).
 */
export function finishXmlPieces<T>(
  head: string,
  items: readonly T[],
  writeItem: (item: T, index: number) => string,
  tail: string,
  rootName: string,
  htmls: readonly string[],
): string[] {
  const needles = Object.keys(NAMESPACES).map((prefix) => `<${prefix}:`);
  /** The needles some item's text holds. */
  const used = new Set<string>();
  // The text before the first item is the head's last piece, put in front once the head is made.
  const parts: string[] = [""];
  items.forEach((item, index) => {
    const text = writeItem(item, index);
    for (const needle of needles) if (!used.has(needle) && text.includes(needle)) used.add(needle);
    appendPieces(parts, fillContentParts(text.replaceAll(LT_MARK, "&lt;"), htmls));
  });
  appendPieces(parts, fillContentParts(tail.replaceAll(LT_MARK, "&lt;"), htmls));
  const [declared, rest] = declareOnRoot(head, rootName, (needle) => head.includes(needle) || tail.includes(needle) || used.has(needle));
  const headPieces = fillContentParts((declared + rest).replaceAll(LT_MARK, "&lt;"), htmls);
  headPieces[headPieces.length - 1] += parts[0] as string;
  parts.splice(0, 1, ...headPieces);
  parts.push("\n");
  return parts;
}

/** Append a segment's pieces (text, HTML, text, …) to `parts`, which ends with a text piece: two text pieces in a row are one, as in the whole text. */
function appendPieces(parts: string[], pieces: string[]): void {
  parts[parts.length - 1] += pieces[0] as string;
  for (let index = 1; index < pieces.length; index++) parts.push(pieces[index] as string);
}
