import { readFile, utimes, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WirefeedError } from "../src/errors.ts";
import { build } from "../src/pipeline.ts";
import { article, makeTempDir, makeTempSite } from "./helpers.ts";

type Texts = { rss: string; atom: string; json: string };

async function buildAt(dir: string, now: string): Promise<Texts> {
  await build({ cwd: dir, now: new Date(now) });
  const read = (name: string) => readFile(path.join(dir, "dist", name), "utf8");
  return { rss: await read("rss.xml"), atom: await read("atom.xml"), json: await read("feed.json") };
}

const titles = (texts: Texts) => (JSON.parse(texts.json).items as { title: string }[]).map((item) => item.title);

describe("publishing windows on a simulated timeline", () => {
  it("an item appears at the first build at or after its instant, leaves at its expiry, and nothing moves in between", async () => {
    const dir = await makeTempSite({
      "articles/old.md": article({ title: "Old", date: "2026-01-01T08:00:00Z" }),
      "articles/scheduled.md": article({ title: "Scheduled", date: "2026-01-02T10:00:00Z", expires: "2026-01-03T10:00:00Z" }),
      "articles/draft.md": article({ title: "Draft", date: "2026-01-01T09:00:00Z", draft: true }),
    });
    const timeline = [
      ["2026-01-02T09:00:00Z", ["Old"]],
      ["2026-01-02T09:59:00Z", ["Old"]],
      ["2026-01-02T09:59:59Z", ["Old"]],
      ["2026-01-02T10:00:00Z", ["Scheduled", "Old"]],
      ["2026-01-02T10:17:00Z", ["Scheduled", "Old"]],
      ["2026-01-03T09:59:59Z", ["Scheduled", "Old"]],
      ["2026-01-03T10:00:00Z", ["Old"]],
      ["2026-01-03T10:47:00Z", ["Old"]],
    ] as const;
    let previous: Texts | undefined;
    let previousTitles: readonly string[] = [];
    for (const [now, expected] of timeline) {
      const texts = await buildAt(dir, now);
      expect(titles(texts), `at ${now}`).toEqual(expected);
      if (previous && previousTitles.join() === expected.join()) {
        // Nothing became due: byte-identical to the neighbouring build.
        expect(texts, `at ${now}`).toEqual(previous);
      }
      previous = texts;
      previousTitles = expected;
    }
  });

  it("the feed's updated moves on an addition, an edit and a removal, and stays put otherwise", async () => {
    const dir = await makeTempSite({
      "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z" }),
      "articles/b.md": article({ title: "B", date: "2026-01-01T09:00:00Z" }),
    });
    const updatedOf = (texts: Texts) => /<updated>([^<]+)<\/updated>/.exec(texts.atom)?.[1];
    const first = await buildAt(dir, "2026-01-02T00:00:00Z");
    expect(updatedOf(first)).toBe("2026-01-01T09:00:00.000Z");
    expect(await buildAt(dir, "2026-01-02T06:00:00Z")).toEqual(first);

    // Added: the new item's date.
    await writeFile(path.join(dir, "articles/c.md"), article({ title: "C", date: "2026-01-02T07:00:00Z" }));
    const added = await buildAt(dir, "2026-01-02T08:00:00Z");
    expect(updatedOf(added)).toBe("2026-01-02T07:00:00.000Z");
    expect(added.rss).toContain("<lastBuildDate>Fri, 02 Jan 2026 07:00:00 GMT</lastBuildDate>");

    // Edited in place without a new `updated:`: the build instant, recorded, then repeated.
    await writeFile(path.join(dir, "articles/a.md"), article({ title: "A", date: "2026-01-01T08:00:00Z" }, "Corrected body.\n"));
    const edited = await buildAt(dir, "2026-01-02T09:00:00Z");
    expect(updatedOf(edited)).toBe("2026-01-02T09:00:00.000Z");
    expect(await buildAt(dir, "2026-01-02T12:00:00Z")).toEqual(edited);

    // Removed: no remaining item is newer, so the build instant again, and then stable.
    await writeFile(path.join(dir, "articles/c.md"), article({ title: "C", date: "2026-01-02T07:00:00Z", draft: true }));
    const removed = await buildAt(dir, "2026-01-02T13:00:00Z");
    expect(titles(removed)).toEqual(["B", "A"]);
    expect(updatedOf(removed)).toBe("2026-01-02T13:00:00.000Z");
    expect(await buildAt(dir, "2026-01-03T00:00:00Z")).toEqual(removed);
  });

  it("an expiry moves updated to the expiry instant even without a state file", async () => {
    const dir = await makeTempSite(
      {
        "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z" }),
        "articles/b.md": article({ title: "B", date: "2026-01-01T09:00:00Z", expires: "2026-01-05T00:00:00Z" }),
      },
      { stateFile: false },
    );
    const texts = await buildAt(dir, "2026-01-06T00:00:00Z");
    expect(titles(texts)).toEqual(["A"]);
    expect(texts.atom).toContain("<updated>2026-01-05T00:00:00.000Z</updated>");
  });
});

describe("an article updated after the build's instant", () => {
  // Catches: a build that writes an `updated` in the future without a word, which
  // `wirefeed check --strict` (the publish workflow's next step) then fails on; a warning for an
  // article no feed shows; a warning within the 10 minutes check allows; and a no-op rebuild
  // (the build stamp) that gives back a stale warning, or one past its end.
  it("draws a warning naming the article and the field, until 10 minutes before that instant", async () => {
    const dir = await makeTempSite(
      {
        "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z", updated: "2026-01-02T10:00:00Z" }),
        "articles/b.md": article({ title: "B", date: "2026-01-01T09:00:00Z" }),
        "articles/old.md": article({ title: "Old, in no feed", date: "2025-01-01T09:00:00Z", updated: "2026-01-03T00:00:00Z" }),
        "articles/draft.md": article({ title: "Draft", date: "2026-01-01T07:00:00Z", updated: "2026-01-03T00:00:00Z", draft: true }),
        "articles/scheduled.md": article({ title: "Scheduled", date: "2026-01-05T00:00:00Z", updated: "2026-01-05T00:00:00Z" }),
      },
      { limit: 2 },
    );
    // Files older than the build, so that a rebuild with nothing changed takes the build stamp.
    const past = new Date(Date.now() - 3_600_000);
    for (const name of ["a.md", "b.md", "old.md", "draft.md", "scheduled.md"]) await utimes(path.join(dir, "articles", name), past, past);
    const warningsAt = async (now: string, cache = true) =>
      (await build({ cwd: dir, now: new Date(now), cache })).diagnostics
        .filter((d) => d.code === "updated-future")
        .map(({ file, field, message }) => ({ file, field, message }));
    const warning = {
      file: "articles/a.md",
      field: "updated",
      message: "2026-01-02T10:00:00.000Z is in the future: readers hide or misplace an item updated after they read it, and wirefeed check reports it until 10 minutes before then",
    };
    expect(await warningsAt("2026-01-02T00:00:00Z")).toEqual([warning]);
    // Later, with nothing changed: the stamp's warnings, the same as a build without it.
    expect(await warningsAt("2026-01-02T05:00:00Z")).toEqual([warning]);
    expect(await warningsAt("2026-01-02T05:00:00Z", false)).toEqual([warning]);
    expect(await warningsAt("2026-01-02T09:49:59Z")).toEqual([warning]);
    expect(await warningsAt("2026-01-02T09:50:00Z")).toEqual([]);
    expect(await warningsAt("2026-01-02T09:49:59Z")).toEqual([warning]);
  });
});

describe("a date alone is read in the site's time zone", () => {
  it.each([
    ["America/Mexico_City", "2026-03-10T05:59:59Z", "2026-03-10T06:00:00Z"],
    ["Asia/Tokyo", "2026-03-09T14:59:59Z", "2026-03-09T15:00:00Z"],
  ])("in %s the article appears at local midnight", async (timeZone, before, at) => {
    const dir = await makeTempSite({ "articles/a.md": article({ title: "Midnight", date: "2026-03-10" }) }, { timeZone });
    expect(titles(await buildAt(dir, before))).toEqual([]);
    const texts = await buildAt(dir, at);
    expect(titles(texts)).toEqual(["Midnight"]);
    expect(JSON.parse(texts.json).items[0].date_published).toBe(new Date(at).toISOString());
  });
});

describe("build --previous: the guard against what is published now", () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

  /** A loopback server that serves a folder of files as they were published. */
  async function serve(files: Record<string, string>): Promise<string> {
    const server = createServer((request, response) => {
      const body = files[(request.url ?? "/").replace(/^\//, "")];
      if (body === undefined) response.writeHead(404).end();
      else response.writeHead(200, { "content-type": "application/feed+json" }).end(body);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  it("fails when a published item would change its id, naming the article and both ids; --allow-id-change passes", async () => {
    const dir = await makeTempSite({ "articles/story.md": article({ title: "Story", date: "2026-01-01T08:00:00Z" }) });
    await build({ cwd: dir, now: new Date("2026-01-02T00:00:00Z") });
    const published = await readFile(path.join(dir, "dist/feed.json"), "utf8");
    const url = await serve({ "feed.json": published });

    // The site moves to a new id authority: every id would change.
    await writeFile(path.join(dir, "wirefeed.config.ts"), (await readFile(path.join(dir, "wirefeed.config.ts"), "utf8")).replace("example.com,2025", "example.org,2026"));
    const error = await build({ cwd: dir, now: new Date("2026-01-02T00:00:00Z"), previous: url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WirefeedError);
    expect((error as WirefeedError).code).toBe("GUARD_FAILED");
    const [problem] = (error as WirefeedError).diagnostics.filter((d) => d.severity === "error");
    expect(problem).toMatchObject({ file: "articles/story.md", field: "id", code: "id-changed" });
    expect(problem?.message).toContain('from "tag:example.com,2025:2026-01-01/story" to "tag:example.org,2026:2026-01-01/story"');
    expect(await readFile(path.join(dir, "dist/feed.json"), "utf8")).toBe(published);

    const allowed = await build({ cwd: dir, now: new Date("2026-01-02T00:00:00Z"), previous: url, allowIdChange: true });
    expect(allowed.written).toContain("feed.json");
  });

  it("fails when a build would drop more than maxDropShare of the published items", async () => {
    const files = Object.fromEntries([1, 2, 3, 4].map((n) => [`articles/p${n}.md`, article({ title: `P${n}`, date: `2026-01-0${n}T08:00:00Z` })]));
    const dir = await makeTempSite(files);
    await build({ cwd: dir, now: new Date("2026-01-05T00:00:00Z") });
    const published = await readFile(path.join(dir, "dist/feed.json"), "utf8");
    const url = await serve({ "feed.json": published });
    for (const n of [1, 2, 3]) await writeFile(path.join(dir, `articles/p${n}.md`), article({ title: `P${n}`, date: `2026-01-0${n}T08:00:00Z`, draft: true }));
    const error = await build({ cwd: dir, now: new Date("2026-01-05T00:00:00Z"), previous: url }).catch((e: unknown) => e);
    expect((error as WirefeedError).code).toBe("GUARD_FAILED");
    expect((error as WirefeedError).diagnostics.find((d) => d.code === "too-many-dropped")?.message).toContain("drop 3 of the 4 published items (75%)");
    // Expired items left on purpose and do not count.
    const restored = await makeTempSite(files);
    await build({ cwd: restored, now: new Date("2026-01-05T00:00:00Z") });
    for (const n of [1, 2, 3]) {
      await writeFile(path.join(restored, `articles/p${n}.md`), article({ title: `P${n}`, date: `2026-01-0${n}T08:00:00Z`, expires: "2026-01-05T12:00:00Z" }));
    }
    const ok = await build({ cwd: restored, now: new Date("2026-01-06T00:00:00Z"), previous: "dist" });
    expect(ok.expired.map((entry) => entry.file).sort()).toEqual(["articles/p1.md", "articles/p2.md", "articles/p3.md"]);
  });

  it("with nothing published yet (404 or an empty folder), warns and builds", async () => {
    const dir = await makeTempSite({ "articles/a.md": article({ title: "A", date: "2026-01-01" }) });
    const url = await serve({});
    const result = await build({ cwd: dir, now: new Date("2026-01-02T00:00:00Z"), previous: url });
    expect(result.diagnostics.map((d) => d.code)).toContain("nothing-published");
    const empty = await makeTempDir();
    const again = await build({ cwd: dir, now: new Date("2026-01-02T00:00:00Z"), previous: empty });
    expect(again.diagnostics.map((d) => d.code)).toContain("nothing-published");
  });
});

describe("the state file records only what is published", () => {
  it("a build with --drafts or --future neither reads nor writes it, so it never moves the real feeds' dates", async () => {
    const dir = await makeTempSite({ "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z" }) });
    const first = await buildAt(dir, "2026-01-02T00:00:00Z");
    const stateBefore = await readFile(path.join(dir, ".wirefeed/state.json"), "utf8");
    await writeFile(path.join(dir, "articles/draft.md"), article({ title: "Draft", date: "2026-01-01T09:00:00Z", draft: true }));
    await writeFile(path.join(dir, "articles/later.md"), article({ title: "Later", date: "2026-03-01T00:00:00Z" }));
    await build({ cwd: dir, now: new Date("2026-01-02T01:00:00Z"), drafts: true, future: true });
    expect(await readFile(path.join(dir, ".wirefeed/state.json"), "utf8")).toBe(stateBefore);
    // Back to a normal build: the same bytes as before the preview of drafts.
    expect(await buildAt(dir, "2026-01-02T02:00:00Z")).toEqual(first);
  });

  it("must be a path inside the project", async () => {
    for (const stateFile of ["/tmp/state.json", "../state.json", "a/../../b.json"]) {
      const dir = await makeTempSite({ "articles/a.md": article({ title: "A", date: "2026-01-01" }) }, { stateFile });
      const error = await build({ cwd: dir }).catch((e: unknown) => e);
      expect((error as WirefeedError).code).toBe("CONFIG_INVALID");
      expect((error as WirefeedError).diagnostics[0]?.field).toBe("stateFile");
    }
  });
});
