import fc from "fast-check";
import { Marked } from "marked";
import markedFootnote from "marked-footnote";
import { gfmHeadingId } from "marked-gfm-heading-id";
import { describe, expect, it } from "vitest";
import { createMarkdownRenderer } from "../../src/render/markdown.ts";

/**
 * Issue 7: Markdown with no `[^` is rendered without the footnote extension. It must give the
 * HTML that one instance with every extension gives, for any Markdown, footnotes or not.
 */
describe("rendering Markdown without the footnote extension when it has no footnote", () => {
  const reference = new Marked({ gfm: true, async: false }).use(gfmHeadingId(), markedFootnote());
  const referenceRender = (markdown: string) => reference.parse(markdown, { async: false }) as string;

  const word = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom("word", "Two words", "^", "[", "]", "[x]", "&#91;^1]", "*", "_", "~", "`", "#", "é", "\n", "  \n", "https://x.example", "<b>x</b>") },
    { weight: 1, arbitrary: fc.constantFrom("[^1]", "[^note]", "\\[^1]", "[^", "[^1]:", "`[^1]`") },
  );
  const line = fc.array(word, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(" "));
  const block = fc.oneof(
    { weight: 4, arbitrary: line },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("1", "note", "x y"), line).map(([label, text]) => `[^${label}]: ${text}\n    ${text}`) },
    fc.tuple(fc.integer({ min: 1, max: 3 }), line).map(([level, text]) => `${"#".repeat(level)} ${text}`),
    fc.array(line, { minLength: 1, maxLength: 3 }).map((items) => items.map((text) => `- ${text}`).join("\n")),
    line.map((text) => `> ${text}`),
    line.map((code) => `\`\`\`\n${code}\n\`\`\``),
    fc.tuple(line, line).map(([a, b]) => `| h | ${a} |\n|---|---|\n| ${b} | c |`),
  );
  const markdown = fc.array(block, { minLength: 1, maxLength: 6 }).map((blocks) => blocks.join("\n\n"));

  it("gives the HTML of the instance with every extension, for any Markdown", () => {
    const render = createMarkdownRenderer();
    let without = 0;
    fc.assert(
      fc.property(markdown, (md) => {
        if (!md.includes("[^")) without++;
        // The same renderer twice in a row: heading ids and footnote numbers start afresh each time.
        expect(render(md)).toBe(referenceRender(md));
        expect(render(md)).toBe(referenceRender(md));
      }),
      { numRuns: 3000 },
    );
    // Enough Markdown took the path without the extension for the comparison to mean something.
    expect(without).toBeGreaterThan(300);
  });

  it("still renders footnotes", () => {
    const html = createMarkdownRenderer()("Text[^1] and # more.\n\n[^1]: The note.\n\n## Heading\n");
    expect(html).toContain('<sup><a id="footnote-ref-1" href="#footnote-1"');
    expect(html).toContain('<section class="footnotes" data-footnotes>');
    expect(html).toContain('<h2 id="heading">Heading</h2>');
  });
});
