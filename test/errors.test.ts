import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WirefeedError } from "../src/errors.ts";
import type { WriteFs } from "../src/output/write.ts";
import { nodeWriteFs } from "../src/output/write.ts";
import { build } from "../src/pipeline.ts";
import { BASE_CONFIG, FIXED_NOW, article, buildFeeds, makeTempDir, makeTempSite, runCli, snapshotDir } from "./helpers.ts";

const GOOD = article({ title: "Good", date: "2025-05-01" }, "A good article.\n");

/** A site with one good article, built once so that dist/ holds the "previous" feeds. */
async function builtSite(config = {}): Promise<{ dir: string; before: Record<string, string> }> {
  const dir = await makeTempSite({ "articles/good.md": GOOD, "dist/CNAME": "news.example.com\n" }, config);
  await buildFeeds(dir);
  return { dir, before: await snapshotDir(path.join(dir, "dist")) };
}

/** Add files, build, and check the exit code, the messages, and that dist/ did not move. */
async function expectFailure(
  files: Record<string, string | Buffer>,
  expected: { code: number; lines: (string | RegExp)[] },
  config = {},
): Promise<string> {
  const { dir, before } = await builtSite(config);
  for (const [name, contents] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), contents);
  }
  const run = await runCli(["build", "--now", FIXED_NOW], { cwd: dir });
  for (const line of expected.lines) {
    if (typeof line === "string") expect(run.stderr.split("\n")).toContain(line);
    else expect(run.stderr).toMatch(line);
  }
  expect(run.code).toBe(expected.code);
  expect(await snapshotDir(path.join(dir, "dist"))).toEqual(before);
  return run.stderr;
}

describe("errors a person can act on (exit 1, dist/ untouched)", () => {
  it("YAML that does not parse, with the line from the YAML error", async () => {
    await expectFailure(
      { "articles/bad.md": '---\ntitle: Fine\ndate: 2025-05-03\ntags: [a, b\nsummary: x\n---\n\nBody.\n' },
      { code: 1, lines: [/^articles\/bad\.md:\d+: front matter is not valid YAML: /m] },
    );
  });

  it("no front matter at all", async () => {
    await expectFailure(
      { "articles/bad.md": "# Just a heading\n\nBody.\n" },
      { code: 1, lines: ["articles/bad.md:1: no front matter: expected the file to start with a line '---'"] },
    );
  });

  it("front matter but an empty body", async () => {
    await expectFailure(
      { "articles/bad.md": "---\ntitle: Empty\ndate: 2025-05-03\n---\n\n   \n" },
      { code: 1, lines: ["articles/bad.md: body: the article has front matter but no body text"] },
    );
  });

  it("missing or empty title, missing date", async () => {
    await expectFailure(
      {
        "articles/no-title.md": "---\ndate: 2025-05-03\n---\n\nBody.\n",
        "articles/empty-title.md": '---\ntitle: ""\ndate: 2025-05-03\n---\n\nBody.\n',
        "articles/no-date.md": "---\ntitle: Dateless\n---\n\nBody.\n",
      },
      {
        code: 1,
        lines: [
          "articles/no-title.md:1: title: required: expected a headline, got nothing",
          'articles/empty-title.md:2: title: required: expected a headline, got ""',
          "articles/no-date.md:1: date: required: expected a date like 2025-05-03 or 2025-05-03T10:00:00-06:00, got nothing",
          /wirefeed: 3 errors in the articles; nothing was written/,
        ],
      },
    );
  });

  it("an unparseable date, one out of range, and updated before date", async () => {
    await expectFailure(
      {
        "articles/2025-05-03-mexico.md": "---\ntitle: A\nsummary: s\ntags: [x]\ndate: next tuesday\n---\n\nBody.\n",
        "articles/range.md": "---\ntitle: B\ndate: 2025-02-30\n---\n\nBody.\n",
        "articles/hour.md": "---\ntitle: B\ndate: 2025-02-03T25:00:00Z\n---\n\nBody.\n",
        "articles/updated.md": "---\ntitle: C\ndate: 2025-05-03\nupdated: 2025-05-01\n---\n\nBody.\n",
      },
      {
        code: 1,
        lines: [
          'articles/2025-05-03-mexico.md:5: date: expected a date like 2025-05-03 or 2025-05-03T10:00:00-06:00, got "next tuesday"',
          'articles/range.md:3: date: expected a date like 2025-05-03 or 2025-05-03T10:00:00-06:00 with a real calendar date and time, got "2025-02-30"',
          /^articles\/hour\.md:3: date: .*got "2025-02-03T25:00:00Z"$/m,
          'articles/updated.md:4: updated: expected a date on or after date (2025-05-03T06:00:00.000Z), got "2025-05-01"',
        ],
      },
    );
  });

  it("a non-URL where a URL is required, and a malformed author email", async () => {
    await expectFailure(
      {
        "articles/urls.md": [
          "---",
          "title: Links",
          "date: 2025-05-03",
          "canonical: not a url",
          "image: javascript:alert(1)",
          "author:",
          "  name: Ana",
          "  email: ana-at-example",
          "  url: example.com/ana",
          "---",
          "",
          "Body.",
          "",
        ].join("\n"),
      },
      {
        code: 1,
        lines: [
          'articles/urls.md:4: canonical: expected an absolute http(s) URL, got "not a url"',
          'articles/urls.md:5: image: expected an http(s) URL, or a file in the project such as images/photo.jpg, got "javascript:alert(1)"',
          'articles/urls.md:6: author.email: expected an email address like ana@example.com, got "ana-at-example"',
          'articles/urls.md:6: author.url: expected an absolute http(s) URL, got "example.com/ana"',
        ],
      },
    );
  });

  it("two articles with the same id or slug: both files named", async () => {
    const stderr = await expectFailure(
      {
        "articles/one.md": article({ title: "One", date: "2025-05-03", id: "tag:example.com,2025:same" }),
        "articles/two.md": article({ title: "Two", date: "2025-05-04", id: "tag:example.com,2025:same" }),
        "articles/x/good.md": article({ title: "Slug twin", date: "2025-05-05" }),
      },
      { code: 1, lines: [/^articles\/two\.md: id: id "tag:example\.com,2025:same" is also used by articles\/one\.md/m] },
    );
    expect(stderr).toMatch(/^articles\/x\/good\.md: slug: slug "good" is also used by articles\/good\.md/m);
  });

  it.each([
    ["../x", "escapes the folder"],
    ["a/b", "has a slash"],
    ["two words", "has a space"],
    ["bell\u0007", "has a control character"],
    ["..", "is dots only"],
  ])("an unsafe slug %j (%s) is an error and writes nothing outside dist/", async (slug) => {
    const { dir, before } = await builtSite();
    await writeFile(path.join(dir, "articles/unsafe.md"), article({ title: "Unsafe", date: "2025-05-03", slug }));
    const run = await runCli(["build", "--now", FIXED_NOW], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("articles/unsafe.md:4: slug: expected letters, digits and - . _ ~ only");
    expect(await snapshotDir(path.join(dir, "dist"))).toEqual(before);
    expect(await snapshotDir(dir).then((files) => Object.keys(files).filter((f) => !f.startsWith("dist/") && !f.startsWith("articles/") && !f.startsWith(".wirefeed-cache/")))).toEqual([".wirefeed/state.json", "wirefeed.config.ts"]);
  });

  it.each([
    ["not-a-uri", "a bare word"],
    ["tag:has space", "a space"],
    ["../x", "a relative path"],
    ["urn:x:\u0001", "a control character"],
  ])("an unsafe id %j (%s) is an error", async (id) => {
    await expectFailure(
      { "articles/bad-id.md": article({ title: "Bad id", date: "2025-05-03", id }) },
      { code: 1, lines: [/^articles\/bad-id\.md:4: id: expected an absolute URI such as tag:example\.com,2025:my-post/m] },
    );
  });

  it("an empty file", async () => {
    await expectFailure({ "articles/empty.md": "" }, { code: 1, lines: ["articles/empty.md: file is empty; expected front matter and a body"] });
  });

  it("a file that is not UTF-8 is named, never mojibake", async () => {
    const latin1 = Buffer.concat([Buffer.from("---\ntitle: Caf"), Buffer.from([0xe9]), Buffer.from("\ndate: 2025-05-03\n---\n\nBody.\n")]);
    await expectFailure(
      { "articles/latin1.md": latin1 },
      { code: 1, lines: ["articles/latin1.md:2: file is not UTF-8 (byte 0xe9 at offset 14); save it as UTF-8"] },
    );
  });

  it("a Markdown file over the 5 MB limit is refused quickly", async () => {
    const huge = article({ title: "Huge", date: "2025-05-03" }, `${"x".repeat(1024)}\n`.repeat(5 * 1024 + 1));
    await expectFailure({ "articles/huge.md": huge }, { code: 1, lines: [/^articles\/huge\.md: file is \d+ bytes; the limit is 5242880 bytes \(5 MB\)$/m] });
  });
});

describe("odd but fine input", () => {
  it("a UTF-8 BOM and CRLF line endings give the same output as plain LF", async () => {
    const text = article({ title: "Line endings", date: "2025-05-03", tags: ["a"] }, "First paragraph.\n\nSecond paragraph.\n");
    const lf = await makeTempSite({ "articles/post.md": text });
    const crlf = await makeTempSite({ "articles/post.md": `\uFEFF${text.replaceAll("\n", "\r\n")}` });
    const a = await buildFeeds(lf);
    const b = await buildFeeds(crlf);
    expect(b.rss).toBe(a.rss);
    expect(b.atom).toBe(a.atom);
    expect(b.json).toBe(a.json);
    expect(b.json).not.toContain("\\r");
    expect(b.json).not.toContain("\uFEFF");
  });

  it("a symlink that points outside articles/ is skipped with a warning, never followed", async () => {
    const outside = await makeTempDir();
    await writeFile(path.join(outside, "secret.md"), article({ title: "Secret", date: "2025-05-03" }, "Do not publish.\n"));
    const dir = await makeTempSite({ "articles/good.md": GOOD });
    await symlink(path.join(outside, "secret.md"), path.join(dir, "articles/secret.md"));
    await symlink(outside, path.join(dir, "articles/linked-dir"));
    const feeds = await buildFeeds(dir);
    expect(feeds.run.stderr).toContain("warning: articles/secret.md: symbolic link points outside the articles folder; skipped, not followed");
    expect(feeds.run.stderr).toContain("warning: articles/linked-dir: symbolic link points outside the articles folder; skipped, not followed");
    expect(feeds.json).not.toContain("Secret");
  });

  it("an empty articles/ gives valid, empty feeds and a warning", async () => {
    const dir = await makeTempSite({});
    const feeds = await buildFeeds(dir);
    expect(feeds.run.stderr).toContain("warning: articles: no Markdown files found; the feeds will have no items");
    expect(JSON.parse(feeds.json).items).toEqual([]);
    expect(feeds.rss).not.toContain("<item>");
  });

  it("a missing articles/ is an error (exit 2)", async () => {
    const dir = await makeTempSite({}, { articlesDir: "posts" });
    const run = await runCli(["build", "--now", FIXED_NOW], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("articlesDir: the articles folder does not exist: posts");
  });

  it("reports every problem of every file in one run", async () => {
    const stderr = await expectFailure(
      {
        "articles/a.md": "---\ntitle: A\n---\n\nBody.\n",
        "articles/b.md": "---\ndate: 2025-05-03\ntittle: B\n---\n\nBody.\n",
      },
      { code: 1, lines: [/wirefeed: 2 errors in the articles/] },
    );
    expect(stderr).toContain("articles/a.md:1: date: required");
    expect(stderr).toContain("articles/b.md:1: title: required");
    expect(stderr).toContain('warning: articles/b.md:3: tittle: unknown front-matter key; did you mean "title"?');
  });
});

describe("config errors (exit 2) name the config file and the key", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["a missing site URL", { siteUrl: undefined }, "wirefeed.config.ts: siteUrl: expected an absolute http(s) URL such as https://example.com/, got nothing"],
    ["a non-http(s) site URL", { siteUrl: "ftp://example.com/" }, 'wirefeed.config.ts: siteUrl: expected an absolute http(s) URL such as https://example.com/, got "ftp://example.com/"'],
    ["an unknown key", { tittle: "x" }, "wirefeed.config.ts: tittle: unknown key"],
    ["a wrong type", { limit: "20" }, 'wirefeed.config.ts: limit: expected a number, got "20"'],
    ["a bad time zone", { timeZone: "Mars/Base" }, 'wirefeed.config.ts: timeZone: expected an IANA time zone like "America/Mexico_City", got "Mars/Base"'],
    // A noncharacter is what wirefeed marks places in a document with; it used to fail the gate.
    ["a character XML forbids in the title", { title: "News \uFDD2 Daily" }, 'wirefeed.config.ts: title: expected text without characters XML forbids (control characters, U+FDD0 to U+FDEF, U+FFFE, U+FFFF), got "News \uFDD2 Daily"'],
    ["a control character in the description", { description: "One\u0001line" }, 'wirefeed.config.ts: description: expected text without characters XML forbids'],
    ["one in the author's name", { author: { name: "A\uFFFE" } }, "wirefeed.config.ts: author.name: expected text without characters XML forbids"],
  ];
  it.each(cases)("%s", async (_name, change, line) => {
    const { dir, before } = await builtSite();
    await writeFile(path.join(dir, "wirefeed.config.ts"), `export default ${JSON.stringify({ ...BASE_CONFIG, ...change })};\n`);
    const run = await runCli(["build", "--now", FIXED_NOW], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n").some((l) => l.startsWith(line))).toBe(true);
    expect(await snapshotDir(path.join(dir, "dist"))).toEqual(before);
  });

  it("a bad --site-url names the flag", async () => {
    const { dir } = await builtSite();
    const run = await runCli(["build", "--site-url", "example.com"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--site-url: expected an absolute http(s) URL such as https://example.com/, got "example.com"');
  });

  it("no config file at all", async () => {
    const dir = await makeTempDir();
    const run = await runCli(["build"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no config file: expected one of wirefeed\.config\.ts/);
  });
});

describe("output problems leave the old files intact", () => {
  const failing = (code: string, failOn: (file: string) => boolean): WriteFs => ({
    ...nodeWriteFs,
    writeFile: async (file, data) => {
      if (failOn(file)) throw Object.assign(new Error(`${code}: simulated`), { code });
      await nodeWriteFs.writeFile(file, data);
    },
  });

  it.each([
    ["the disk is full while writing the second file", "ENOSPC", (file: string) => file.includes("atom.xml"), /the disk is full/],
    ["dist/ is not writable", "EACCES", () => true, /check that the folder is writable/],
  ])("%s", async (_name, code, failOn, hint) => {
    const { dir, before } = await builtSite();
    await writeFile(path.join(dir, "articles/new.md"), article({ title: "New", date: "2025-06-01" }));
    const error = await build({ cwd: dir, now: new Date(FIXED_NOW), fs: failing(code, failOn) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WirefeedError);
    expect((error as WirefeedError).code).toBe("OUTPUT_UNWRITABLE");
    expect((error as WirefeedError).message).toContain(code);
    expect((error as WirefeedError).hint).toMatch(hint);
    // Same bytes, and no temp file left behind.
    expect(await snapshotDir(path.join(dir, "dist"))).toEqual(before);
  });

  it("an output folder that cannot be created is a clear CLI error (exit 1)", async () => {
    const { dir } = await builtSite();
    await writeFile(path.join(dir, "blocker"), "a file, not a folder\n");
    const run = await runCli(["build", "--now", FIXED_NOW, "--out", "blocker/dist"], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^outDir: cannot write to .*blocker\/dist: ENOTDIR/m);
  });
});

describe("temp files", () => {
  it("a successful build removes temp files a killed build left next to its outputs", async () => {
    const { dir } = await builtSite();
    const leftovers = ["dist/rss.xml.wirefeed-0123456789ab.tmp", "dist/feed.json.wirefeed-aaaaaaaaaaaa.tmp"];
    for (const file of leftovers) await writeFile(path.join(dir, file), "torn");
    await writeFile(path.join(dir, "dist/notes.tmp"), "not ours");
    await writeFile(path.join(dir, "articles/new.md"), article({ title: "New", date: "2025-06-01" }));
    await buildFeeds(dir);
    const files = Object.keys(await snapshotDir(path.join(dir, "dist")));
    expect(files.filter((file) => file.includes(".wirefeed-"))).toEqual([]);
    expect(files).toContain("notes.tmp");
    expect(files).toContain("CNAME");
  });
});

describe("symbolic links inside articles/", () => {
  it("a link back to a folder already read is skipped with a warning, not followed in a loop", async () => {
    const dir = await makeTempSite({ "articles/good.md": GOOD, "articles/sub/other.md": article({ title: "Other", date: "2025-05-02" }) });
    await symlink(".", path.join(dir, "articles/loop"));
    await symlink("sub", path.join(dir, "articles/twin"));
    const feeds = await buildFeeds(dir);
    expect(feeds.run.stderr).toContain("warning: articles/loop: symbolic link to a folder that is already read; skipped, so no article is read twice");
    expect(feeds.run.stderr).toContain("warning: articles/twin: symbolic link to a folder that is already read; skipped, so no article is read twice");
    expect(JSON.parse(feeds.json).items).toHaveLength(2);
  });

  it("a section with no letter or digit is an error, as a tag is", async () => {
    await expectFailure(
      { "articles/bad.md": article({ title: "Bad", date: "2025-05-03", section: "!!!" }) },
      { code: 1, lines: ['articles/bad.md:4: section: expected a section name with at least one letter or digit, got "!!!"'] },
    );
  });
});
