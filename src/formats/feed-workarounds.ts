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
 * D3 for HTML in CDATA: xml-js splits only the first `]]>`. In HTML `]]&gt;` renders the same
 * characters, so every occurrence is rewritten and the library never sees one.
 */
export function cdataHtml(html: string): string {
  return html.replaceAll("]]>", "]]&gt;");
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
