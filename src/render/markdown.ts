import { Marked } from "marked";
import markedFootnote from "marked-footnote";
import { gfmHeadingId } from "marked-gfm-heading-id";

/**
 * One Marked instance per build (marked advises against configuring the global object):
 * GitHub Flavored Markdown with tables, task lists, footnotes and heading ids.
 *
 * Markdown with no `[^` holds no footnote reference or definition (both start with it, and an
 * escaped `\[` is not one), so it goes to an instance without the footnote extension, which gives
 * the same HTML: the extension's tokenizers, tried at every block and inline position, cost about
 * a tenth of the render (issue 7).
 */
export function createMarkdownRenderer(): (markdown: string) => string {
  const withFootnotes = new Marked({ gfm: true, async: false }).use(gfmHeadingId(), markedFootnote());
  const withoutFootnotes = new Marked({ gfm: true, async: false }).use(gfmHeadingId());
  return (markdown) => (markdown.includes("[^") ? withFootnotes : withoutFootnotes).parse(markdown, { async: false }) as string;
}
