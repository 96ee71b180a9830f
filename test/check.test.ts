import { readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkMediaType } from "../src/fields.ts";
import { checkFeedFiles, listFeedFiles } from "../src/check/check-feed-files.ts";
import { checkFeedText, detectFeedFormat } from "../src/check/check-feed-text.ts";
import { findHtmlTextProblems, findRelativeUrls } from "../src/check/inspect-html.ts";
import { parseRfc3339, parseRfc822 } from "../src/check/parse-feed-date.ts";
import { FIXED_NOW, article, makeTempSite, runCli, snapshotDir } from "./helpers.ts";
import { build } from "../src/pipeline.ts";

const fixtures = path.join(import.meta.dirname, "fixtures/check");
const now = new Date(FIXED_NOW);

/** Check a fixture folder as if its files were published at https://example.com/<file>. */
async function checkFixture(name: string, options: { withUrls?: boolean } = {}) {
  const files = await listFeedFiles([path.join(fixtures, name)], fixtures, (relative) =>
    options.withUrls === false ? undefined : new URL(relative, "https://example.com/").href,
  );
  return checkFeedFiles(files, { now });
}

/**
 * One broken feed per rule: [fixture folder, the one finding code it must produce, the
 * feed@6 defect of feed-standards §1.3 it reproduces ("" for a rule of §2 alone)].
 */
const BROKEN: [string, string, string][] = [
  ["rss-cdata-breakout", "xml-not-well-formed", "D3"],
  ["rss-control-character", "xml-not-well-formed", "D4"],
  ["rss-raw-ampersand-attribute", "xml-not-well-formed", "D5"],
  ["rss-unbound-prefix", "xml-not-well-formed", "D14"],
  ["rss-author-without-email", "rss-author-invalid", "D14"],
  ["rss-two-authors", "rss-author-duplicate", "D14"],
  ["rss-self-link-mismatch", "self-link-mismatch", "D19"],
  ["rss-self-link-missing", "self-link-missing", ""],
  ["rss-language-missing", "language-missing", "D20"],
  ["rss-guid-not-marked", "rss-guid-permalink", ""],
  ["rss-guid-duplicate", "id-duplicate", "D24"],
  ["rss-guid-missing", "guid-missing", ""],
  ["rss-guid-empty", "id-invalid", ""],
  ["rss-date-weekday", "date-weekday", ""],
  ["rss-date-invalid", "date-invalid", "D22"],
  ["rss-date-two-digit-year", "date-invalid", ""],
  ["rss-date-future", "date-future", ""],
  ["rss-enclosure-image-jpg", "enclosure-type-invalid", "D17"],
  ["rss-enclosure-no-extension", "enclosure-type-invalid", "D17"],
  ["rss-enclosure-two", "rss-enclosure-duplicate", "D18"],
  ["rss-category-undefined", "category-empty", "D16"],
  ["rss-relative-url-in-content", "relative-url", ""],
  ["rss-relative-item-link", "relative-url", "D10"],
  ["rss-no-description", "rss-required", ""],
  ["rss-version-missing", "rss-version", ""],
  ["rss-content-before-description", "rss-description-order", "D26"],
  ["atom-html-title", "atom-html-text", "D7"],
  ["atom-id-not-a-uri", "id-invalid", "D8"],
  ["atom-id-empty", "id-invalid", "D8"],
  ["atom-id-not-canonical", "id-not-canonical", "D9"],
  ["atom-category-without-term", "category-term-missing", "D16"],
  ["atom-enclosure-image-mp3", "enclosure-type-invalid", "D17"],
  ["atom-no-xml-lang", "language-missing", "D20"],
  ["atom-self-link-mismatch", "self-link-mismatch", "D19"],
  ["atom-self-link-missing", "self-link-missing", ""],
  ["atom-author-missing", "atom-author-missing", ""],
  ["atom-no-content-no-alternate", "atom-alternate-or-content", ""],
  ["atom-date-lowercase", "date-invalid", ""],
  ["atom-date-rfc822", "date-invalid", ""],
  ["atom-updated-missing", "atom-required", ""],
  ["atom-duplicate-id", "id-duplicate", "D24"],
  ["atom-raw-lt-attribute", "xml-not-well-formed", "D5"],
  ["atom-no-namespace", "atom-namespace", ""],
  ["atom-relative-url-in-content", "relative-url", ""],
  ["json-version-1", "json-version", "D1"],
  ["json-item-without-id", "id-missing", "D11"],
  ["json-item-empty-id", "id-invalid", ""],
  ["json-duplicate-id", "id-duplicate", "D24"],
  ["json-no-content", "json-schema", "D12"],
  ["json-summary-html", "json-summary-html", "D13"],
  ["json-single-author", "json-author-deprecated", "D15"],
  ["json-language-missing", "language-missing", "D20"],
  ["json-feed-url-mismatch", "self-link-mismatch", "D19"],
  ["json-feed-url-missing", "self-link-missing", ""],
  ["json-relative-url-in-content", "relative-url", ""],
  ["json-date-invalid", "date-invalid", ""],
  ["json-attachment-image-jpg", "enclosure-type-invalid", "D17"],
  ["json-foreign-key", "json-schema", "D21"],
  ["json-non-ascii-url", "url-invalid", ""],
  ["json-not-json", "json-invalid", ""],
  ["cross-item-missing", "cross-item-missing", ""],
  ["cross-date-mismatch", "cross-item-date", ""],
  ["cross-self-link-shared", "self-link-mismatch", "D19"],
  ["cross-item-order", "cross-item-order", "D24"],
  ["cross-id-normalised", "cross-item-missing", "D9"],
];

describe("check: one broken fixture feed per rule", () => {
  it("passes the valid RSS, Atom and JSON Feed trio with no finding, cross-format rules included", async () => {
    const result = await checkFixture("valid");
    expect(result.checked.map((entry) => entry.format).sort()).toEqual(["atom", "json", "rss"]);
    expect(result.findings).toEqual([]);
  });

  it.each(BROKEN)("%s: reports %s and nothing else", async (name, code) => {
    const result = await checkFixture(name);
    expect(result.findings.length).toBeGreaterThan(0);
    expect(new Set(result.findings.map((finding) => finding.code))).toEqual(new Set([code]));
    for (const finding of result.findings) {
      expect(finding.file).toMatch(new RegExp(`^${name}/(rss\\.xml|atom\\.xml|feed\\.json)$`));
      expect(finding.message.length).toBeGreaterThan(20);
    }
  });

  it("catches every feed@6 defect of feed-standards §1.3 that can show in a feed file", () => {
    // D2 (clock), D6 (&amp; collapse), D23 (podcast), D25 and D27 (quality notes) leave no
    // defect a validator can see in one file; every other one has a fixture.
    const visible = ["D1", "D3", "D4", "D5", "D7", "D8", "D9", "D10", "D11", "D12", "D13", "D14", "D15", "D16", "D17", "D18", "D19", "D20", "D21", "D22", "D24", "D26"];
    const covered = new Set(BROKEN.map(([, , defect]) => defect));
    expect(visible.filter((defect) => !covered.has(defect))).toEqual([]);
  });

  it("says where: the line, the item id and the field", async () => {
    const result = await checkFixture("rss-author-without-email");
    expect(result.findings).toEqual([
      expect.objectContaining({
        severity: "error",
        code: "rss-author-invalid",
        file: "rss-author-without-email/rss.xml",
        line: 17,
        item: "tag:example.com,2025:2025-05-03/second",
        field: "item/author",
      }),
    ]);
    // The second use of an id is found at its own line, and the message names the first.
    const json = await checkFixture("json-duplicate-id");
    expect(json.findings[0]).toMatchObject({ code: "id-duplicate", line: 28, field: "items[1].id" });
    expect(json.findings[0]?.message).toContain("(first at line 16)");
  });

  // Catches: an item's line found wrongly once the search no longer starts from the top of the
  // text for each item (which took minutes on a feed of 10,000 full items).
  it("finds the line of each item of a long JSON Feed", () => {
    const items = Array.from({ length: 300 }, (_, n) => ({
      id: `tag:example.com,2025:2025-05-03/item-${n}`,
      url: `https://example.com/posts/item-${n}/`,
      title: `Item ${n}`,
      content_html: `<p>${"Text. ".repeat(n)}</p>`,
      date_published: n % 100 === 99 ? "yesterday" : "2025-05-03T10:00:00Z",
      authors: [{ name: "Ana" }],
    }));
    const feed = { version: "https://jsonfeed.org/version/1.1", title: "T", home_page_url: "https://example.com/", language: "en", items };
    const text = JSON.stringify(feed, null, 2);
    const lines = text.split("\n");
    const lineOf = (n: number) => lines.findIndex((line) => line.includes(`"id": "tag:example.com,2025:2025-05-03/item-${n}"`)) + 1;
    expect(lineOf(299)).toBeGreaterThan(lineOf(199));
    // As JSON.stringify writes it, and with every "/" written "\/", as PHP's json_encode does.
    for (const written of [text, text.replaceAll("/", "\\/")]) {
      const dates = checkFeedText(written, { file: "feed.json", now }).findings.filter((finding) => finding.code === "date-invalid");
      expect(dates.map((finding) => finding.line)).toEqual([99, 199, 299].map(lineOf));
    }
  });

  it("points at the raw & itself, not at the end of the document", async () => {
    const result = await checkFixture("rss-raw-ampersand-attribute");
    expect(result.findings[0]).toMatchObject({ code: "xml-not-well-formed", line: 18 });
    expect(result.findings[0]?.message).toContain('a raw "&"');
  });

  it("finds a shared self link across formats even when the files' URLs are unknown (D19)", async () => {
    const result = await checkFixture("cross-self-link-shared", { withUrls: false });
    expect(result.findings).toEqual([
      expect.objectContaining({ code: "self-link-mismatch", file: "cross-self-link-shared/atom.xml" }),
    ]);
    expect(result.findings[0]?.message).toContain("is also the self link of rss.xml");
  });

  it("passes wirefeed's own golden feeds", async () => {
    const golden = path.join(import.meta.dirname, "golden/sample");
    const files = await listFeedFiles([golden], golden, (relative) => new URL(relative, "https://news.example.com/").href);
    const result = await checkFeedFiles(files, { now });
    expect(result.checked).toHaveLength(3);
    expect(result.findings).toEqual([]);
  });
});

describe("check: the pieces", () => {
  it("tells the formats apart by content, not by name", () => {
    expect(detectFeedFormat('<?xml version="1.0"?>\n<!-- c -->\n<rss version="2.0"></rss>')).toBe("rss");
    expect(detectFeedFormat('\uFEFF<feed xmlns="http://www.w3.org/2005/Atom"/>')).toBe("atom");
    expect(detectFeedFormat('{ "version": "https://jsonfeed.org/version/1.1", "items": [] }')).toBe("json");
    expect(detectFeedFormat('{ "name": "package" }')).toBeUndefined();
    expect(detectFeedFormat("<urlset></urlset>")).toBeUndefined();
    expect(checkFeedText("<html></html>", { file: "x.xml", now }).findings[0]?.code).toBe("not-a-feed");
  });

  it("reports a URL holding a lone surrogate (an escape JSON allows) rather than throwing", async () => {
    const fixture = await readFile(path.join("test/fixtures/check/json-non-ascii-url/feed.json"), "utf8");
    for (const url of ["\\ud800posts/x", "https://example.com/\\ud800"]) {
      const text = fixture.replace('"https://example.com/posts/café/"', `"${url}"`);
      expect(text).not.toBe(fixture);
      const findings = checkFeedText(text, { file: "feed.json", url: "https://example.com/feed.json", now }).findings;
      expect(findings.map((finding) => finding.code)).toContain("url-invalid");
    }
  });

  it("reads RFC 822 dates strictly, weekday included", () => {
    expect(parseRfc822("Sat, 03 May 2025 06:00:00 GMT")).toEqual({ ok: true, date: new Date("2025-05-03T06:00:00Z") });
    expect(parseRfc822("Sat, 03 May 2025 00:00:00 -0600")).toEqual({ ok: true, date: new Date("2025-05-03T06:00:00Z") });
    expect(parseRfc822("3 May 2025 06:00 EST")).toEqual({ ok: true, date: new Date("2025-05-03T11:00:00Z") });
    expect(parseRfc822("Fri, 03 May 2025 06:00:00 GMT")).toMatchObject({ ok: false, weekday: true });
    expect(parseRfc822("Sat, 31 Feb 2025 06:00:00 GMT")).toMatchObject({ ok: false });
    expect(parseRfc822("2025-05-03T06:00:00Z")).toMatchObject({ ok: false });
  });

  it("reads RFC 3339 dates, with Atom's uppercase T and Z", () => {
    expect(parseRfc3339("2025-05-03T00:00:00.5-06:00", { uppercase: true })).toEqual({ ok: true, date: new Date("2025-05-03T06:00:00.500Z") });
    expect(parseRfc3339("2025-05-03t06:00:00z", { uppercase: true })).toMatchObject({ ok: false });
    expect(parseRfc3339("2025-05-03t06:00:00z", { uppercase: false })).toMatchObject({ ok: true });
    expect(parseRfc3339("2025-05-03", { uppercase: false })).toMatchObject({ ok: false });
  });

  it("finds relative URLs in HTML, in every spelling", () => {
    const html =
      '<p><a href="/a">x</a> <a href="#fn1">1</a> <a href="https://example.com/">ok</a> <a href="mailto:a@b.c">m</a>' +
      '<img srcset="https://example.com/a.png 1x, b.png 2x" src="//cdn.example.com/x.png"> <a href=rel.html>r</a>' +
      "<a title='href=\"/not-a-url\"'>t</a></p>";
    expect(findRelativeUrls(html)).toEqual([
      { attribute: "href", value: "/a" },
      { attribute: "href", value: "#fn1" },
      { attribute: "srcset", value: "b.png" },
      { attribute: "src", value: "//cdn.example.com/x.png" },
      { attribute: "href", value: "rel.html" },
    ]);
    expect(findRelativeUrls("<p>the href=/x attribute, written about</p>")).toEqual([]);
  });

  it("knows plain text declared as HTML", () => {
    expect(findHtmlTextProblems("Hello &amp; &lt;World&gt; <em>now</em>")).toEqual([]);
    expect(findHtmlTextProblems("AT&T")).toHaveLength(1);
    expect(findHtmlTextProblems("1 < 2")).toHaveLength(1);
    expect(findHtmlTextProblems("Hello <World>")).toEqual([expect.stringContaining("<World> is not an HTML element")]);
  });

  it("knows the media types feed@6 gets wrong", () => {
    expect(checkMediaType("image/jpeg", "https://e.com/a.jpg")).toBeUndefined();
    expect(checkMediaType("audio/mpeg; charset=x", "https://e.com/a.mp3")).toBeUndefined();
    expect(checkMediaType("image/jpg", "https://e.com/a.jpg")).toContain("use image/jpeg");
    expect(checkMediaType("image//img", "https://e.com/img")).toContain("expected a media type");
    expect(checkMediaType("image/png", "https://e.com/a.mp3")).toContain("does not fit a .mp3 file");
    // A container of audio or video alike: either kind fits.
    expect(checkMediaType("audio/mp4", "https://e.com/a.mp4")).toBeUndefined();
    expect(checkMediaType("audio/webm", "https://e.com/a.webm")).toBeUndefined();
    expect(checkMediaType("video/ogg", "https://e.com/a.ogg")).toBeUndefined();
    expect(checkMediaType("application/ogg", "https://e.com/a.ogg")).toBeUndefined();
    expect(checkMediaType("image/png", "https://e.com/a.mp4")).toContain("does not fit a .mp4 file");
    expect(checkMediaType("video/mp4", "https://e.com/a.mp3")).toContain("does not fit a .mp3 file");
    expect(checkMediaType(undefined, "https://e.com/a.mp3")).toContain("got nothing");
  });
});

describe("wirefeed check (the command)", () => {
  const sample = {
    "articles/2025-05-03-first.md": article({ title: "First story", date: "2025-05-03", summary: "A first story.", tags: ["Mexico"] }),
  };

  it("passes a freshly built site: articles and the feeds in dist/", async () => {
    const dir = await makeTempSite(sample);
    expect((await runCli(["build", "--now", FIXED_NOW], { cwd: dir })).code).toBe(0);
    const run = await runCli(["check", "--now", FIXED_NOW], { cwd: dir });
    // The main feed, and the tag feeds the pipeline makes.
    expect(run.stdout).toMatch(/^No problems in 1 article in the feed and \d+ feeds\.\n$/);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("reports an article error as a finding, writes nothing, and exits 1", async () => {
    const dir = await makeTempSite(sample);
    await runCli(["build", "--now", FIXED_NOW], { cwd: dir });
    const before = await readFile(path.join(dir, "dist/rss.xml"), "utf8");
    await writeFile(path.join(dir, "articles/bad.md"), "---\ntitle: Bad\ndate: next tuesday\n---\n\nText.\n");
    const run = await runCli(["check", "--now", FIXED_NOW], { cwd: dir });
    expect(run.stdout).toContain("error   front-matter-invalid articles/bad.md:3 date: expected a date like 2025-05-03");
    expect(run.stdout).toMatch(/^1 error, 0 warnings in the articles and \d+ feeds\.$/m);
    expect(run.code).toBe(1);
    expect(await readFile(path.join(dir, "dist/rss.xml"), "utf8")).toBe(before);
  });

  it("warns when dist/ is not built or out of date; --strict makes that fail", async () => {
    const dir = await makeTempSite(sample);
    const unbuilt = await runCli(["check", "--now", FIXED_NOW], { cwd: dir });
    expect(unbuilt.stdout).toContain("warning not-built dist/rss.xml: not built yet; run wirefeed build");
    expect(unbuilt.code).toBe(0);
    await runCli(["build", "--now", FIXED_NOW], { cwd: dir });
    await writeFile(path.join(dir, "articles/2025-05-04-second.md"), article({ title: "Second", date: "2025-05-04" }));
    const stale = await runCli(["check", "--now", FIXED_NOW], { cwd: dir });
    expect(stale.stdout).toContain("warning dist-stale dist/feed.json: differs from what wirefeed build would write now");
    expect(stale.code).toBe(0);
    const strict = await runCli(["check", "--now", FIXED_NOW, "--strict"], { cwd: dir });
    expect(strict.stdout).toContain("(--strict: warnings count as errors)");
    expect(strict.code).toBe(1);
  });

  // Catches: a compare run that writes, moves an mtime or leaves a temp file, or that reports a
  // file wrongly (the check's dist-stale and not-built warnings rest on it), also for a main feed
  // written as its items render, whose pieces come from the spill file.
  it.each([
    ["made whole", {}],
    ["written as its items render", { batchArticles: 1, streamItems: 1 }],
  ])("a build that compares with dist/ writes nothing and lists what differs (main feed %s)", async (_name, streaming) => {
    const dir = await makeTempSite({ ...sample, "articles/2025-05-04-second.md": article({ title: "Second", date: "2025-05-04", tags: ["Other"] }) });
    await build({ cwd: dir, now });
    const snapshot = async () => {
      const files = await snapshotDir(dir);
      const times = await Promise.all(Object.keys(files).map(async (file) => [file, (await stat(path.join(dir, file))).mtimeMs] as const));
      return { files, times };
    };
    const same = await build({ cwd: dir, now, write: "compare", ...streaming });
    expect(same.written).toEqual([]);
    expect(same.unchanged).toEqual(expect.arrayContaining(["rss.xml", "atom.xml", "feed.json", "tags/other/feed.json"]));

    await writeFile(path.join(dir, "articles/2025-05-04-second.md"), article({ title: "Second, edited", date: "2025-05-04", tags: ["Other"] }));
    await rm(path.join(dir, "dist/tags/other/atom.xml"));
    const before = await snapshot();
    const edited = await build({ cwd: dir, now, write: "compare", ...streaming });
    expect(await snapshot()).toEqual(before);
    expect(edited.written).toEqual(expect.arrayContaining(["rss.xml", "atom.xml", "feed.json", "tags/other/rss.xml", "tags/other/atom.xml", "index.html"]));
    for (const file of ["tags/mexico/rss.xml", "tags/mexico/atom.xml", "tags/mexico/feed.json"]) {
      expect(edited.written).not.toContain(file);
      expect(edited.unchanged).toContain(file);
    }
    expect([...edited.written, ...edited.unchanged].sort()).toEqual(Object.keys((await build({ cwd: dir, now, write: false })).files.map((file) => file.path).reduce((all, file) => ({ ...all, [file]: 1 }), {})).sort());
  });

  // Catches: bytes that are not UTF-8 read as text anyway (garbled), or the check stopping at them.
  it("names a feed file that is not UTF-8, and goes on with the others", async () => {
    const dir = await makeTempSite({});
    const valid = await readFile(path.join(fixtures, "valid/rss.xml"));
    await writeFile(path.join(dir, "latin1.xml"), Buffer.concat([valid.subarray(0, 60), Buffer.from([0xe9, 0xff]), valid.subarray(60)]));
    await writeFile(path.join(dir, "good.xml"), valid);
    const run = await runCli(["check", "latin1.xml", "good.xml", "--now", FIXED_NOW], { cwd: dir });
    expect(run.stdout).toContain("error   encoding-invalid latin1.xml: not UTF-8: readers will show garbled text or reject the feed");
    expect(run.stdout).toMatch(/^1 error, \d+ warnings? in 2 feeds\.$/m);
    expect(run.code).toBe(1);
  });

  // Catches: a compare run that turns an error in making a document's own bytes (here, the spill
  // file of a feed written as its items render, in a temp folder that cannot be made) into "this
  // file differs", so that check said dist-stale where a build fails.
  it("a build that compares fails, as one that writes does, when a document cannot be made", async () => {
    // No tag: the main feed is alone in its batch, so it is written as its items render.
    const dir = await makeTempSite({ "articles/2025-05-01-a.md": article({ title: "A", date: "2025-05-01" }) });
    await build({ cwd: dir, now });
    const blocker = path.join(dir, "not-a-folder");
    await writeFile(blocker, "");
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = path.join(blocker, "sub");
    try {
      // The writing build reuses its documents here, so it makes no spill file; the compare makes one.
      const comparing = await build({ cwd: dir, now, write: "compare", streamItems: 1 }).then((result) => `built: ${result.written.join(", ")}`, (error: Error) => error.message);
      expect(comparing).toMatch(/^cannot write a temporary file in /);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it("checks feed files wirefeed did not write: one line per finding, then a count", async () => {
    const run = await runCli(["check", "test/fixtures/check/rss-author-without-email/rss.xml", "--now", FIXED_NOW], {
      cwd: path.resolve(import.meta.dirname, ".."),
    });
    expect(run.stdout.split("\n")).toEqual([
      'error   rss-author-invalid test/fixtures/check/rss-author-without-email/rss.xml:17 item "tag:example.com,2025:2025-05-03/second" item/author: <author> must be an email address, optionally with a name: ana@example.com (Ana), got "Ana Pérez"; use dc:creator for a name alone',
      "1 error, 0 warnings in 1 feed.",
      "",
    ]);
    expect(run.code).toBe(1);
  });

  it("compares self links with --site-url, counts warnings as errors with --strict, and prints --json", async () => {
    const cwd = path.resolve(import.meta.dirname, "..");
    const valid = await runCli(["check", "test/fixtures/check/valid", "--site-url", "https://example.com", "--now", FIXED_NOW], { cwd });
    expect(valid.stdout).toBe("No problems in 3 feeds.\n");
    expect(valid.code).toBe(0);
    const moved = await runCli(["check", "test/fixtures/check/valid", "--site-url", "https://example.org/", "--now", FIXED_NOW], { cwd });
    expect(moved.stdout).toContain('is "https://example.com/rss.xml" but this file is published at "https://example.org/rss.xml"');
    expect(moved.code).toBe(1);

    const warningOnly = ["check", "test/fixtures/check/rss-language-missing/rss.xml", "--now", FIXED_NOW];
    expect((await runCli(warningOnly, { cwd })).code).toBe(0);
    expect((await runCli([...warningOnly, "--strict"], { cwd })).code).toBe(1);
    const json = await runCli([...warningOnly, "--json"], { cwd });
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      errors: 0,
      warnings: 1,
      findings: [{ severity: "warning", code: "language-missing", file: "test/fixtures/check/rss-language-missing/rss.xml", line: 3 }],
    });
  });

  it("skips files that are no feeds inside a folder, but not when named; a missing path is a usage error", async () => {
    const dir = await makeTempSite({
      "feeds/rss.xml": await readFile(path.join(fixtures, "valid/rss.xml")),
      "feeds/package.json": '{ "name": "x" }\n',
      "feeds/sitemap.xml": "<urlset/>\n",
    });
    const folder = await runCli(["check", "feeds", "--now", FIXED_NOW], { cwd: dir });
    expect(folder.stdout).toBe("No problems in 1 feed.\n");
    const named = await runCli(["check", "feeds/sitemap.xml"], { cwd: dir });
    expect(named.stdout).toContain("error   not-a-feed feeds/sitemap.xml:1: not an RSS 2.0, Atom 1.0 or JSON Feed document");
    expect(named.code).toBe(1);
    const missing = await runCli(["check", "nothing-here.xml"], { cwd: dir });
    expect(missing.stderr).toContain("no such file or folder: nothing-here.xml");
    expect(missing.code).toBe(2);
    await rm(path.join(dir, "feeds"), { recursive: true });
  });

  it("flags future dates relative to --now", async () => {
    const cwd = path.resolve(import.meta.dirname, "..");
    const early = await runCli(["check", "test/fixtures/check/valid", "--now", "2025-05-02T00:00:00Z"], { cwd });
    expect(early.stdout).toMatch(/warning date-future test\/fixtures\/check\/valid\/rss\.xml:\d+ item "tag:example\.com,2025:2025-05-03\/second"/);
    expect(early.code).toBe(0);
  });
});
