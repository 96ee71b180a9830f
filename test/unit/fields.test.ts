import { describe, expect, it } from "vitest";
import { SAFE_SLUG, slugify } from "../../src/fields.ts";

describe("slugify", () => {
  it.each([
    ["Estados Unidos de México", "estados-unidos-de-mexico"],
    ["United States", "united-states"],
    ["C++ & Rust!", "c-rust"],
    ["  --Hello--  ", "hello"],
  ])("folds Latin text to ASCII: %j → %j", (input, slug) => {
    expect(slugify(input)).toBe(slug);
  });

  it.each([
    ["日本", "xn--wgv71a"],
    ["مصر", "xn--wgbh1c"],
    ["שלום", "xn--9dbne9b"],
    ["日本 news", "xn--wgv71a-news"],
  ])("gives letters of other scripts an ASCII slug (IDNA Punycode), never none: %j → %j", (input, slug) => {
    expect(slugify(input)).toBe(slug);
    expect(SAFE_SLUG.test(slug)).toBe(true);
  });

  it("keeps different names apart", () => {
    expect(slugify("日本")).not.toBe(slugify("中国"));
    expect(slugify("!!!")).toBe("");
  });
});
