import { Marked } from "marked";
import markedFootnote from "marked-footnote";
import { gfmHeadingId } from "marked-gfm-heading-id";

/**
 * One Marked instance per build (marked advises against configuring the global object):
 * GitHub Flavored Markdown with tables, task lists, footnotes and heading ids.
 */
export function createMarkdownRenderer(): (markdown: string) => string {
  const marked = new Marked({ gfm: true, async: false }).use(gfmHeadingId(), markedFootnote());
  return (markdown) => marked.parse(markdown, { async: false }) as string;
}
