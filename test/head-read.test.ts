import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadArticles } from "../src/content/load.ts";
import { build } from "../src/pipeline.ts";

/**
 * Issue 7: a large article is read only up to the end of its front matter unless a feed shows
 * it. These tests pin that the head read finds the same front matter as a whole read, in every
 * shape the loader accepts, and that a body is read (and checked) exactly when it is needed.
 */

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "wirefeed-head-"));
  dirs.push(dir);
  return dir;
}

/** A site with a main feed of `limit` items and no tag or section feeds. */
async function makeSite(limit: number): Promise<string> {
  const root = await tempDir();
  await mkdir(path.join(root, "articles"));
  await writeFile(
    path.join(root, "wirefeed.config.ts"),
    `export default { title: "T", description: "D", siteUrl: "https://example.com/", idAuthority: "example.com,2025", author: "A", limit: ${limit}, feeds: { tags: false, sections: false } };\n`,
  );
  return root;
}

/** A paragraph long enough that every file below is larger than the first read (2 KB). */
const LONG = `${"Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(60)}\n`;

const FILES: Record<string, string | Buffer> = {
  "plain.md": `---\ntitle: Plain\ndate: 2025-05-03\n---\n\n${LONG}`,
  "crlf-bom.md": `\uFEFF---\r\ntitle: CRLF and BOM\r\ndate: 2025-05-03\r\n---\r\n\r\n${LONG.replace(/\n/g, "\r\n")}`,
  "fence-spaces.md": `--- \t\ntitle: Spaces after the fences\ndate: 2025-05-03\n---  \n${LONG}`,
  // The front matter alone is larger than the first read: the head grows until it holds the fence.
  "long-front-matter.md": `---\ntitle: Long\ndate: 2025-05-03\nsummary: "${"s".repeat(5000)}"\ntags: [a, b]\n---\n${LONG}`,
  // "---x" and "----" are not fences; the front matter ends at the real one.
  "not-fences.md": `---\ntitle: "---x"\ndescription: |\n  ----\n  text\ndate: 2025-05-03\n---\n${LONG}`,
  // A fence right at the 2 KB boundary.
  "boundary.md": `---\ntitle: Boundary\ndate: 2025-05-03\nsummary: "${"b".repeat(2048 - 60)}"\n---\n${LONG}`,
  // Unicode in the front matter, some of it across the 2 KB boundary.
  "unicode.md": `---\ntitle: "México — ${"é".repeat(1100)}"\ndate: 2025-05-03\n---\n${LONG}`,
  // No closing fence: read whole, and the error is the one a whole read gives.
  "unclosed.md": `---\ntitle: Unclosed\ndate: 2025-05-03\n${LONG}`,
};

describe("reading only the head of an article (issue 7)", () => {
  it("finds the same front matter, key lines and body line as reading the whole file", async () => {
    const root = await tempDir();
    await mkdir(path.join(root, "articles"));
    for (const [name, contents] of Object.entries(FILES)) await writeFile(path.join(root, "articles", name), contents);
    const head = await loadArticles(root, "articles");
    const whole = await loadArticles(root, "articles", { bodies: true });
    expect(head.diagnostics).toEqual(whole.diagnostics);
    expect(whole.diagnostics.map((diagnostic) => `${diagnostic.file} ${diagnostic.code}`)).toEqual(["articles/unclosed.md front-matter-unclosed"]);
    expect(head.sources.map((source) => source.file)).toEqual(whole.sources.map((source) => source.file));
    expect(head.sources).toHaveLength(Object.keys(FILES).length - 1);
    for (const [index, source] of head.sources.entries()) {
      const full = whole.sources[index];
      // Every file here is larger than the head: its body was not read.
      expect(source.body, source.file).toBeUndefined();
      expect(full?.body, source.file).toContain("Lorem ipsum");
      expect({ ...source, body: full?.body }, source.file).toEqual(full);
    }
  });

  it("never reads the body of an article no feed shows, and checks it once one does", async () => {
    const root = await makeSite(1);
    const post = (title: string, date: string) => `---\ntitle: ${title}\ndate: ${date}\n---\n\n${LONG}`;
    await writeFile(path.join(root, "articles", "new.md"), post("New", "2025-05-04"));
    // Not UTF-8 past the head: a whole read would refuse the file.
    const old = Buffer.concat([Buffer.from(post("Old", "2025-05-03")), Buffer.from([0xff, 0xfe, 0x0a])]);
    await writeFile(path.join(root, "articles", "old.md"), old);
    const now = new Date("2025-06-01T00:00:00Z");

    const first = await build({ cwd: root, now });
    expect(first.diagnostics).toEqual([]);
    expect(await readFile(path.join(root, "dist", "feed.json"), "utf8")).toMatch(/"title": "New"/);

    // With limit 2 the old article is shown: its body is read, and refused, naming the byte and line.
    const config = path.join(root, "wirefeed.config.ts");
    await writeFile(config, (await readFile(config, "utf8")).replace("limit: 1", "limit: 2"));
    const error = await build({ cwd: root, now }).then(
      () => undefined,
      (caught: unknown) => caught as { code: string; diagnostics: { file?: string; code: string; line?: number }[] },
    );
    expect(error?.code).toBe("CONTENT_INVALID");
    expect(error?.diagnostics).toContainEqual(expect.objectContaining({ file: "articles/old.md", code: "not-utf8", line: 7 }));
  });

  it("warns about a large body only while a feed shows it, with the build index as without it", async () => {
    const root = await makeSite(2);
    // U+0001 in a body past the first 2 KB: only a whole read sees it. An old mtime, so that the
    // build index vouches for the file and later builds take it from there.
    const old = path.join(root, "articles", "old.md");
    await writeFile(old, `---\ntitle: Old\ndate: 2025-05-03\n---\n\n${LONG}Control \u0001 character.\n`);
    await utimes(old, new Date("2025-01-01T00:00:00Z"), new Date("2025-01-01T00:00:00Z"));
    await writeFile(path.join(root, "articles", "new.md"), `---\ntitle: New\ndate: 2025-05-04\n---\n\n${LONG}`);
    const now = new Date("2025-06-01T00:00:00Z");
    const warned = (result: { diagnostics: { code: string; file?: string }[] }) =>
      result.diagnostics.some((diagnostic) => diagnostic.code === "invalid-character" && diagnostic.file === "articles/old.md");

    expect(warned(await build({ cwd: root, now }))).toBe(true);
    // Still shown: the warning comes back from the index, as a full build gives it.
    expect(warned(await build({ cwd: root, now }))).toBe(true);
    expect(warned(await build({ cwd: root, now, cache: false }))).toBe(true);
    // A newer article pushes it out of the feed (limit 2): a full build does not read that body,
    // so it does not warn, and a build that takes the article from the index must not either.
    await writeFile(path.join(root, "articles", "newer.md"), `---\ntitle: Newer\ndate: 2025-05-05\n---\n\n${LONG}`);
    expect(warned(await build({ cwd: root, now }))).toBe(false);
    expect(warned(await build({ cwd: root, now, cache: false }))).toBe(false);
  });
});
