import fc from "fast-check";
import matter from "gray-matter";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { loadFrontMatterParser } from "../../src/content/load.ts";

/**
 * Issue 7: the loader hands gray-matter only the front matter and the two characters after its
 * closing line, and appends the rest of the file, because gray-matter copies and hashes its whole
 * input. That must split every text exactly where gray-matter given the whole text splits it.
 */

const options = { engines: { yaml: (text: string) => yaml.load(text, { schema: yaml.CORE_SCHEMA }) as object } };
const pieces = ["---", "----", "--- ", "---x", "\n", "\r\n", "\r", "title: A", "tags: [a, b]", "# comment", " ", "body", "-", "x: '---'", ""];
const texts = fc.array(fc.constantFrom(...pieces), { maxLength: 14 }).map((parts) => parts.join(""));

describe("the front-matter split", () => {
  it("gives gray-matter's data and body for any text", async () => {
    const parser = await loadFrontMatterParser();
    fc.assert(
      fc.property(texts, fc.string({ maxLength: 40 }), (head, tail) => {
        const text = head + tail;
        let expected: { data: unknown; content: string };
        try {
          expected = matter(text, options);
        } catch {
          // Invalid YAML: the loader reports it; the split itself must throw too.
          expect(() => parser.parse(text)).toThrow();
          return;
        }
        const got = parser.parse(text);
        expect(got.content).toBe(expected.content);
        expect(got.data).toEqual(expected.data);
        expect(parser.split(text).content).toBe(expected.content);
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps a long body whole, past the part gray-matter is given", async () => {
    const parser = await loadFrontMatterParser();
    const body = `\n${"word ".repeat(5000)}\n---\nnot front matter\n`;
    const text = `---\ntitle: A\n---\r\n${body}`;
    expect(parser.parse(text)).toEqual({ data: { title: "A" }, content: matter(text, options).content });
    expect(parser.split(text).content).toBe(body);
  });
});
