import { describe, expect, it } from "vitest";
import { formatZoned } from "../../src/dates.ts";
import type { Article } from "../../src/model/types.ts";
import { findNextChange, listSchedule } from "../../src/schedule/list-schedule.ts";

function article(file: string, published: string, extra: Partial<Article> = {}): Article {
  return {
    file, id: `tag:example.com,2025:${file}`, slug: file, title: file, summary: undefined,
    published: new Date(published), updated: new Date(published), expires: undefined, authors: [], tags: [],
    section: undefined, image: undefined, enclosure: undefined, draft: false, lang: undefined, canonical: undefined,
    permalink: `https://example.com/${file}/`, body: "x", bodyHash: "x", ...extra,
  };
}

describe("listSchedule", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  const articles = [
    article("live", "2025-12-01T00:00:00Z", { expires: new Date("2026-02-01T00:00:00Z") }),
    article("soon", "2026-01-05T09:00:00Z"),
    article("draft", "2026-01-02T00:00:00Z", { draft: true }),
    article("gone", "2025-01-01T00:00:00Z", { expires: new Date("2025-06-01T00:00:00Z") }),
    article("window", "2026-01-03T00:00:00Z", { expires: new Date("2026-01-04T00:00:00Z") }),
  ];

  it("lists future publishes and expiries, soonest first, never drafts or the past", () => {
    expect(listSchedule(articles, now).map((entry) => `${entry.action} ${entry.file} ${entry.at.toISOString()}`)).toEqual([
      "publish window 2026-01-03T00:00:00.000Z",
      "expire window 2026-01-04T00:00:00.000Z",
      "publish soon 2026-01-05T09:00:00.000Z",
      "expire live 2026-02-01T00:00:00.000Z",
    ]);
  });

  it("gives the next instant the output changes, or nothing", () => {
    expect(findNextChange(listSchedule(articles, now))).toEqual(new Date("2026-01-03T00:00:00Z"));
    expect(findNextChange(listSchedule(articles, new Date("2026-03-01T00:00:00Z")))).toBeUndefined();
  });
});

describe("formatZoned", () => {
  it("writes the instant with the zone's offset", () => {
    expect(formatZoned(new Date("2025-05-03T06:00:00Z"), "America/Mexico_City")).toBe("2025-05-03T00:00:00-06:00");
    expect(formatZoned(new Date("2025-05-02T15:00:00Z"), "Asia/Tokyo")).toBe("2025-05-03T00:00:00+09:00");
    expect(formatZoned(new Date("2025-05-03T06:00:00Z"), "UTC")).toBe("2025-05-03T06:00:00+00:00");
    expect(formatZoned(new Date("2025-03-09T12:00:00Z"), "Asia/Kolkata")).toBe("2025-03-09T17:30:00+05:30");
  });
});
