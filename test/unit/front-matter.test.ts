import { describe, expect, it } from "vitest";
import { parseDate, validateArticle } from "../../src/content/front-matter.ts";
import type { SourceArticle } from "../../src/model/types.ts";

const SETTINGS = {
  siteUrl: "https://example.com/blog/",
  timeZone: "America/Mexico_City",
  idAuthority: "example.com,2025",
  permalink: "posts/:year/:slug/",
  author: { name: "Desk" },
};

function source(data: Record<string, unknown>, stem = "2025-05-03-hello-world", body = "Body.\n"): SourceArticle {
  const keyLines = Object.fromEntries(Object.keys(data).map((key, index) => [key, index + 2]));
  return { file: `articles/${stem}.md`, stem, data, keyLines, body, bodyLine: Object.keys(data).length + 3 };
}

describe("dates", () => {
  it("reads a date alone as midnight in the site's time zone", () => {
    expect(parseDate("2025-05-03", "America/Mexico_City")).toEqual({ date: new Date("2025-05-03T06:00:00Z"), floating: false });
    expect(parseDate("2025-05-03", "Asia/Tokyo")).toEqual({ date: new Date("2025-05-02T15:00:00Z"), floating: false });
    expect(parseDate("2025-05-03", "UTC")).toEqual({ date: new Date("2025-05-03T00:00:00Z"), floating: false });
  });

  it("follows daylight saving time in the site's zone", () => {
    expect(parseDate("2025-07-01", "America/New_York")).toEqual({ date: new Date("2025-07-01T04:00:00Z"), floating: false });
    expect(parseDate("2025-01-01", "America/New_York")).toEqual({ date: new Date("2025-01-01T05:00:00Z"), floating: false });
  });

  it("reads offsets and Z exactly, and a time without offset as floating", () => {
    expect(parseDate("2025-05-03T10:00:00-06:00", "Asia/Tokyo")).toEqual({ date: new Date("2025-05-03T16:00:00Z"), floating: false });
    expect(parseDate("2025-05-03T10:00:00Z", "Asia/Tokyo")).toEqual({ date: new Date("2025-05-03T10:00:00Z"), floating: false });
    expect(parseDate("2025-05-03T10:00:00.250+05:30", "UTC")).toEqual({ date: new Date("2025-05-03T04:30:00.250Z"), floating: false });
    expect(parseDate("2025-05-03 10:00", "America/Mexico_City")).toEqual({ date: new Date("2025-05-03T16:00:00Z"), floating: true });
  });

  it("accepts a JS Date, as gray-matter's default YAML engine would give for an unquoted date", () => {
    expect(parseDate(new Date("2025-05-03T00:00:00Z"), "UTC")).toEqual({ date: new Date("2025-05-03T00:00:00Z"), floating: false });
  });

  it.each(["next tuesday", "2025-13-01", "2025-02-29", "0999-01-01", "2025-05-03T24:00:00Z", "2025-05-03T10:00:00+25:00", "", 20250503])(
    "rejects %j with what was expected and what was found",
    (value) => {
      const result = parseDate(value, "UTC");
      expect(typeof result).toBe("string");
      expect(result).toMatch(/^expected .*, got /);
    },
  );
});

describe("validateArticle", () => {
  it("fills every field: slug from the file name without its date, permalink under the site path, tag: id", () => {
    const { article, diagnostics } = validateArticle(source({ title: "Hello", date: "2025-05-03", tags: ["Mexico"] }), SETTINGS);
    expect(diagnostics).toEqual([]);
    expect(article).toMatchObject({
      slug: "hello-world",
      permalink: "https://example.com/blog/posts/2025/hello-world/",
      id: "tag:example.com,2025:2025-05-03/hello-world",
      published: new Date("2025-05-03T06:00:00Z"),
      updated: new Date("2025-05-03T06:00:00Z"),
      authors: [{ name: "Desk" }],
      tags: ["Mexico"],
      draft: false,
    });
  });

  it("takes the aliases description, categories and author", () => {
    const { article } = validateArticle(
      source({ title: "T", date: "2025-05-03", description: "Plain summary.", categories: ["A", "B"], author: "Ana" }),
      SETTINGS,
    );
    expect(article).toMatchObject({ summary: "Plain summary.", tags: ["A", "B"], authors: [{ name: "Ana" }] });
  });

  it("reads authors as names or objects", () => {
    const { article, diagnostics } = validateArticle(
      source({ title: "T", date: "2025-05-03", authors: ["Ana", { name: "Luis", email: "luis@example.com", url: "https://example.com/luis" }] }),
      SETTINGS,
    );
    expect(diagnostics).toEqual([]);
    expect(article?.authors).toEqual([{ name: "Ana" }, { name: "Luis", email: "luis@example.com", url: "https://example.com/luis" }]);
  });

  it("keeps an explicit id in canonical form and an explicit slug", () => {
    const { article } = validateArticle(source({ title: "T", date: "2025-05-03", id: "TAG:example.com,2025:x", slug: "custom" }), SETTINGS);
    expect(article?.id).toBe("tag:example.com,2025:x");
    expect(article?.slug).toBe("custom");
  });

  it("warns about an unknown key, with its line and a suggestion", () => {
    const { diagnostics } = validateArticle(source({ title: "T", date: "2025-05-03", tittle: "typo" }), SETTINGS);
    expect(diagnostics).toEqual([
      { severity: "warning", code: "unknown-key", file: "articles/2025-05-03-hello-world.md", line: 4, field: "tittle", message: 'unknown front-matter key; did you mean "title"?' },
    ]);
  });

  it("removes characters XML forbids from every text field and warns with the file and field", () => {
    const { article, diagnostics } = validateArticle(
      source({ title: "A\u0001B\uFFFE", date: "2025-05-03", summary: "S\u0008", tags: ["T\u001F"], section: "X\uFFFF" }, "x", "Body \u0002 text.\n"),
      SETTINGS,
    );
    expect(article).toMatchObject({ title: "AB", summary: "S", tags: ["T"], section: "X", body: "Body  text.\n" });
    expect(diagnostics.map((d) => `${d.severity} ${d.field}`)).toEqual(["warning title", "warning summary", "warning tags", "warning section", "warning body"]);
    expect(diagnostics.every((d) => d.file === "articles/x.md")).toBe(true);
  });

  it("warns that a time without an offset is ambiguous", () => {
    const { diagnostics } = validateArticle(source({ title: "T", date: "2025-05-03 09:00" }), SETTINGS);
    expect(diagnostics[0]).toMatchObject({ severity: "warning", code: "date-without-offset", field: "date", line: 3 });
  });

  it("rejects a draft flag that is not a boolean and a bad language tag", () => {
    const { article, diagnostics } = validateArticle(source({ title: "T", date: "2025-05-03", draft: "yes", lang: "english!" }), SETTINGS);
    expect(article).toBeUndefined();
    expect(diagnostics.map((d) => d.field)).toEqual(["draft", "lang"]);
  });
});
