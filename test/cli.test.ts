import { createWriteStream } from "node:fs";
import { open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/cli/command-specs.ts";
import type { CliIo } from "../src/cli/io.ts";
import { VERSION, main } from "../src/cli/main.ts";
import { measureEditDistance, suggestClosest } from "../src/cli/suggest.ts";
import { FIXED_NOW, article, makeTempSite, runCli } from "./helpers.ts";

const packageVersion = (JSON.parse(await readFile(path.join(import.meta.dirname, "../package.json"), "utf8")) as { version: string }).version;

/** main() with the process parts a test wants to vary: a terminal, an environment, a signal. */
async function runWith(argv: string[], options: Partial<CliIo> & { cwd: string }) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    env: {},
    isTTY: false,
    ...options,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
      options.stderr?.(text);
    },
  });
  return { code, stdout, stderr };
}

const SAMPLE = {
  "articles/2025-05-03-first.md": article({ title: "First story", date: "2025-05-03", summary: "A first story.", tags: ["Mexico"] }),
};
const build = (dir: string, ...flags: string[]) => runCli(["build", "--now", FIXED_NOW, ...flags], { cwd: dir });

describe("help and version", () => {
  it("wirefeed --help lists every command and how to start", async () => {
    const run = await runCli(["--help"], { cwd: "/" });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    for (const command of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${command.name} +\\S`, "m"));
    expect(run.stdout).toContain("Getting started:");
    expect(run.stdout).toContain('wirefeed new "My first story"');
    expect(run.stdout).toContain("Exit codes: 0 success, 1 problems in the content or the feeds, 2 usage or config errors,\n            3 nothing changed (build --exit-code).");
  });

  it.each(COMMANDS.map((command) => command.name))("wirefeed %s --help shows usage, every option and examples", async (name) => {
    const run = await runCli([name, "--help"], { cwd: "/" });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: wirefeed ${name}`));
    const command = COMMANDS.find((spec) => spec.name === name);
    for (const flag of command?.flags ?? []) expect(run.stdout).toContain(`--${flag.name}`);
    expect(run.stdout).toMatch(new RegExp(`Examples:\\n  wirefeed ${name}`));
    expect((await runCli(["help", name], { cwd: "/" })).stdout).toBe(run.stdout);
    expect((await runCli([name, "-h"], { cwd: "/" })).stdout).toBe(run.stdout);
  });

  it("--version prints the package version", async () => {
    expect(VERSION).toBe(packageVersion);
    for (const flag of ["--version", "-v"]) {
      const run = await runCli([flag], { cwd: "/" });
      expect(run).toEqual({ code: 0, stdout: `${packageVersion}\n`, stderr: "" });
    }
  });

  it("no command prints the help on stderr and exits 2", async () => {
    const run = await runCli([], { cwd: "/" });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("Usage: wirefeed <command> [options]");
  });
});

describe("usage errors: a suggestion and exit 2", () => {
  it.each([
    [["buidl"], 'unknown command "buidl"', "hint: did you mean wirefeed build?"],
    [["chek"], 'unknown command "chek"', "hint: did you mean wirefeed check?"],
    [["preveiw"], 'unknown command "preveiw"', "hint: did you mean wirefeed preview?"],
    [["publish"], 'unknown command "publish"', "hint: the commands are new, build, check, preview, schedule, ping; run wirefeed --help"],
    [["help", "biuld"], 'unknown command "biuld"', "hint: did you mean wirefeed build?"],
    [["build", "--site-ur", "https://x.com/"], "unknown option --site-ur for wirefeed build", "hint: did you mean --site-url?"],
    [["build", "--verbos"], "unknown option --verbos for wirefeed build", "hint: did you mean --verbose?"],
    [["check", "--stirct"], "unknown option --stirct for wirefeed check", "hint: did you mean --strict?"],
    [["preview", "--prot", "3000"], "unknown option --prot for wirefeed preview", "hint: did you mean --port?"],
    [["new", "X", "--tag", "a"], "unknown option --tag for wirefeed new", "hint: did you mean --tags?"],
    [["build", "--port", "3000"], "unknown option --port for wirefeed build", "hint: --port is an option of wirefeed preview; see wirefeed build --help"],
    [["build", "--strict"], "unknown option --strict for wirefeed build", "hint: --strict is an option of wirefeed check; see wirefeed build --help"],
    [["build", "-x"], "unknown option -x for wirefeed build", "hint: see wirefeed build --help for the options"],
    [["--verbose", "build"], "unknown option --verbose", "hint: put options after the command: wirefeed build --verbose"],
    [["build", "--out"], "--out needs a value (DIR)", "hint: see wirefeed build --help"],
    [["build", "--drafts=yes"], "--drafts is a switch and takes no value", "hint: see wirefeed build --help"],
    [["build", "chek"], 'wirefeed build takes no arguments, got "chek"', "hint: did you mean wirefeed check?"],
    [["build", "--now", "yesterday"], '--now: expected an ISO 8601 instant with an offset, like 2025-05-04T00:00:00Z, got "yesterday"', undefined],
    [["preview", "--port", "http"], '--port: expected a port number from 0 to 65535, got "http"', undefined],
    [["new"], "wirefeed new needs a headline", 'hint: wirefeed new "Mexico rejects U.S. troops"'],
  ])("wirefeed %j", async (argv, message, hint) => {
    const dir = await makeTempSite(SAMPLE);
    const run = await runCli(argv as string[], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const lines = run.stderr.split("\n");
    expect(lines[0]).toBe(message);
    if (hint) expect(lines).toContain(hint);
  });

  it("suggests by edit distance, with swaps counted as one edit", () => {
    expect(measureEditDistance("buidl", "build")).toBe(1);
    expect(measureEditDistance("site-ur", "site-url")).toBe(1);
    expect(measureEditDistance("kitten", "sitting")).toBe(3);
    expect(suggestClosest("verbos", ["verbose", "version"])).toBe("verbose");
    expect(suggestClosest("drfats", ["drafts", "future"])).toBe("drafts");
    expect(suggestClosest("xyz", ["build", "check"])).toBeUndefined();
    expect(suggestClosest("pre", ["preview", "build"])).toBe("preview");
  });
});

describe("wirefeed build", () => {
  it("lists each file with its items and size, and the articles added since the last build", async () => {
    const dir = await makeTempSite(SAMPLE);
    const first = await build(dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe("");
    const size = String.raw`\d+(\.\d)? (B|kB)`;
    expect(first.stderr).toMatch(new RegExp(String.raw`^wrote     rss\.xml +1 item +${size}$`, "m"));
    expect(first.stderr).toMatch(new RegExp(String.raw`^wrote     atom\.xml +1 item +${size}$`, "m"));
    expect(first.stderr).toMatch(new RegExp(String.raw`^wrote     feed\.json +1 item +${size}$`, "m"));
    expect(first.stderr).toMatch(/^added     First story$/m);
    expect(first.stderr).toMatch(/^Built dist\/ in \d+\.\d+ s: \d+ files written, 0 unchanged; 1 article \(first build: nothing to compare with\)\.$/m);

    const second = await build(dir);
    expect(second.stderr).toMatch(/^unchanged rss\.xml +1 item/m);
    expect(second.stderr).toMatch(/; no article changed\.$/m);
    expect(second.stderr).not.toMatch(/^wrote/m);

    await writeFile(path.join(dir, "articles/2025-05-03-first.md"), article({ title: "First story, updated", date: "2025-05-03", summary: "A first story." }));
    await writeFile(path.join(dir, "articles/2025-05-04-second.md"), article({ title: "Second story", date: "2025-05-04" }));
    const third = await build(dir);
    expect(third.stderr).toMatch(/^wrote     rss\.xml +2 items/m);
    expect(third.stderr).toMatch(/^added     Second story$/m);
    expect(third.stderr).toMatch(/^changed   First story, updated \(title, content\)$|^changed   First story, updated \(title\)$/m);
    expect(third.stderr).toMatch(/1 article added, 1 changed, 0 removed\.$/m);

    await rm(path.join(dir, "articles/2025-05-04-second.md"));
    const fourth = await build(dir);
    expect(fourth.stderr).toMatch(/^removed   Second story$/m);
    expect(fourth.stderr).toMatch(/0 articles added, 0 changed, 1 removed\.$/m);
  });

  it("--json prints the same summary as one JSON object on stdout, and nothing on stderr", async () => {
    const dir = await makeTempSite(SAMPLE);
    const run = await build(dir, "--json");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ ok: true, outDir: "dist", articles: { hadPrevious: false, added: [{ title: "First story" }], changed: [], removed: [] } });
    expect(summary.files).toContainEqual({ path: "rss.xml", url: "https://example.com/blog/rss.xml", state: "written", items: 1, bytes: expect.any(Number), mediaType: "application/rss+xml" });
    expect(summary.files).toContainEqual(expect.objectContaining({ path: "feed.json", state: "written", items: 1, mediaType: "application/feed+json" }));
    expect(summary.articles.added[0].id).toMatch(/^tag:example\.com,2025:2025-05-03\/first$/);
    const again = JSON.parse((await build(dir, "--json")).stdout);
    expect(again.files.find((file: { path: string }) => file.path === "rss.xml").state).toBe("unchanged");
    expect(again.articles).toEqual({ hadPrevious: true, added: [], changed: [], removed: [] });
  });

  // Catches: reading the previous feed.json whole, as one string. Past V8's longest string (about
  // 537 million characters; a feed of some 60,000 full items) that read failed, and the rebuild
  // reported a first build with every item added (issue 7); below it, the whole text and its
  // parse were held through the build (1.34 GB instead of 0.49 GB for a feed of 10,000 items).
  it("lists what changed when the previous feed.json is longer than the longest string", async () => {
    const dir = await makeTempSite(SAMPLE);
    expect((await build(dir)).code).toBe(0);
    const file = path.join(dir, "dist/feed.json");
    const feed = await readFile(file, "utf8");
    // The same feed with 70 more items of 8 MB each, laid out as the build lays it out.
    const itemsEnd = feed.lastIndexOf("\n    }\n  ]");
    expect(itemsEnd).toBeGreaterThan(0);
    const filler = "x".repeat(8 << 20);
    const out = createWriteStream(file);
    const put = (text: string) => new Promise<void>((resolve, reject) => out.write(text, (error) => (error ? reject(error) : resolve())));
    await put(feed.slice(0, itemsEnd + "\n    }".length));
    for (let n = 0; n < 70; n++) {
      await put(`,\n    {\n      "id": "https://example.com/gone/${n}",\n      "title": "Gone ${n}",\n      "content_html": "${filler}"\n    }`);
    }
    await put(feed.slice(itemsEnd + "\n    }".length));
    await new Promise((resolve) => out.end(resolve));
    expect((await stat(file)).size).toBeGreaterThan(2 ** 29);
    // wirefeed check reads a feed laid out as the build lays it out an item at a time: it is checked.
    const checked = await runCli(["check", "dist/feed.json", "--now", FIXED_NOW], { cwd: dir });
    expect(checked.stdout).toBe("No problems in 1 feed.\n");
    expect(checked.code).toBe(0);
    // Laid out otherwise (the items' key indented one space less), it must be read whole: it cannot
    // be, and check says so rather than calling it not UTF-8.
    const itemsKey = Buffer.byteLength(feed.slice(0, feed.indexOf('\n  "items": [')));
    const handle = await open(file, "r+");
    await handle.write(' \n "', itemsKey);
    const whole = await runCli(["check", "dist/feed.json", "--now", FIXED_NOW], { cwd: dir });
    expect(whole.stdout).toContain("error   file-too-large dist/feed.json: longer than the longest text Node holds (about 512 MiB)");
    expect(whole.code).toBe(1);
    await handle.write('\n  "', itemsKey);
    await handle.close();

    const run = await build(dir, "--json");
    expect(run.code).toBe(0);
    const { articles } = JSON.parse(run.stdout);
    expect(articles.hadPrevious).toBe(true);
    expect(articles.added).toEqual([]);
    expect(articles.changed).toEqual([]);
    expect(articles.removed.map((item: { title: string }) => item.title)).toEqual(Array.from({ length: 70 }, (_, n) => `Gone ${n}`));
    await rm(file);
  }, 60_000);

  it("--json reports a failed build as a JSON object too, with exit 1", async () => {
    const dir = await makeTempSite({ ...SAMPLE, "articles/bad.md": "---\ntitle: Bad\n---\n\nText.\n" });
    const run = await build(dir, "--json");
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ ok: false, error: { code: "CONTENT_INVALID", diagnostics: [expect.objectContaining({ file: "articles/bad.md", field: "date" })] } });
    expect(run.stderr).toContain("articles/bad.md:1: date: required");
  });

  it("--quiet prints nothing on success, and still the errors on failure", async () => {
    const dir = await makeTempSite({ ...SAMPLE, "articles/odd.md": article({ title: "Odd", date: "2025-05-01", tittle: "x" }) });
    const run = await build(dir, "--quiet");
    expect(run).toEqual({ code: 0, stdout: "", stderr: "" });
    await writeFile(path.join(dir, "articles/bad.md"), "---\ntitle: Bad\n---\n\nText.\n");
    const failed = await build(dir, "--quiet");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("articles/bad.md:1: date: required");
  });

  it("prints warnings by default, and --verbose adds the config, the instant, every file and the ids", async () => {
    const dir = await makeTempSite({ ...SAMPLE, "articles/odd.md": article({ title: "Odd", date: "2025-05-01", tittle: "x" }) });
    const plain = await build(dir);
    expect(plain.stderr).toContain('warning: articles/odd.md:4: tittle: unknown front-matter key; did you mean "title"?');
    const verbose = await build(dir, "--verbose");
    expect(verbose.stderr).toMatch(/^config +wirefeed\.config\.ts$/m);
    expect(verbose.stderr).toMatch(/^articles +articles\/$/m);
    expect(verbose.stderr).toContain(`now       ${FIXED_NOW.replace("Z", ".000Z")}`);
    expect(verbose.stderr).toContain("  2025-05-03T06:00:00.000Z  tag:example.com,2025:2025-05-03/first  articles/2025-05-03-first.md");
    expect(verbose.stderr).not.toContain("--verbose lists them");
  });

  it("colours only a terminal, and never with NO_COLOR", async () => {
    const dir = await makeTempSite(SAMPLE);
    const escape = "\u001b[";
    expect((await runWith(["build", "--now", FIXED_NOW], { cwd: dir, isTTY: true })).stderr).toContain(escape);
    expect((await runWith(["build", "--now", FIXED_NOW], { cwd: dir, isTTY: true, env: { NO_COLOR: "1" } })).stderr).not.toContain(escape);
    expect((await runWith(["build", "--now", FIXED_NOW], { cwd: dir, isTTY: false })).stderr).not.toContain(escape);
    const check = await runWith(["check", "--now", FIXED_NOW], { cwd: dir, isTTY: true, stdoutIsTTY: true });
    expect(check.stdout).toContain(escape);
  });

  it("shows a progress bar only on a terminal, outside CI, when the build takes longer than the delay", async () => {
    const dir = await makeTempSite(SAMPLE);
    const slow = { progressDelayMs: 0 };
    const tty = await runWith(["build", "--now", FIXED_NOW], { cwd: dir, isTTY: true, env: { NO_COLOR: "1" }, ...slow });
    expect(tty.stderr).toMatch(/\rbuilding \[[ =]{24}\] \d+\.\d s/);
    expect(tty.stderr).toContain("\r\u001b[2K");
    const ci = await runWith(["build", "--now", FIXED_NOW], { cwd: dir, isTTY: true, env: { CI: "true" }, ...slow });
    expect(ci.stderr).not.toContain("\r");
    const pipe = await runWith(["build", "--now", FIXED_NOW], { cwd: dir, isTTY: false, ...slow });
    expect(pipe.stderr).not.toContain("\r");
    const json = await runWith(["build", "--now", FIXED_NOW, "--json"], { cwd: dir, isTTY: true, ...slow });
    expect(json.stderr).toBe("");
    const quick = await runWith(["build", "--now", FIXED_NOW], { cwd: dir, isTTY: true, progressDelayMs: 60_000 });
    expect(quick.stderr).not.toContain("\r");
  });

  it("a missing config is a usage error (exit 2)", async () => {
    const run = await runCli(["build"], { cwd: path.join(await makeTempSite({}), "articles") });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no config file: expected one of wirefeed\.config\.ts/);
  });
});

describe("wirefeed new", () => {
  it("writes articles/<date>-<slug>.md with today's date in the site's time zone, a stable id, empty summary and tags", async () => {
    const dir = await makeTempSite({});
    // 2026-01-01T00:00Z is still 31 December in America/Mexico_City (BASE_CONFIG's zone).
    const run = await runCli(["new", "Mexico’s Election: Day One", "--now", FIXED_NOW], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("articles/2025-12-31-mexico-s-election-day-one.md\n");
    expect(run.stderr).toBe("Created articles/2025-12-31-mexico-s-election-day-one.md. Edit it, then run: wirefeed build\n");
    const text = await readFile(path.join(dir, "articles/2025-12-31-mexico-s-election-day-one.md"), "utf8");
    expect(text).toBe(
      [
        "---",
        'title: "Mexico’s Election: Day One"',
        "date: 2025-12-31",
        'id: "tag:example.com,2025:2025-12-31/mexico-s-election-day-one"',
        'summary: ""',
        "tags: []",
        "---",
        "",
        "Write the article here, in Markdown. The first paragraph becomes the summary if summary stays empty.",
        "",
      ].join("\n"),
    );
    // The new article builds as it is, and keeps its id.
    const built = await build(dir, "--json");
    expect(JSON.parse(built.stdout).articles.added).toEqual([
      { id: "tag:example.com,2025:2025-12-31/mexico-s-election-day-one", title: "Mexico’s Election: Day One" },
    ]);
  });

  it("takes --tags and --draft, and SOURCE_DATE_EPOCH for today", async () => {
    const dir = await makeTempSite({});
    const run = await runCli(["new", "Election night", "live", "--tags", "politics, Mexico ,", "--draft"], {
      cwd: dir,
      env: { SOURCE_DATE_EPOCH: "1746316800" },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("articles/2025-05-03-election-night-live.md\n");
    expect(run.stderr).toContain("(draft)");
    const text = await readFile(path.join(dir, "articles/2025-05-03-election-night-live.md"), "utf8");
    expect(text).toContain('title: "Election night live"\n');
    expect(text).toContain('tags:\n  - "politics"\n  - "Mexico"\n');
    expect(text).toContain("draft: true\n");
    const built = JSON.parse((await runCli(["build", "--json", "--now", FIXED_NOW], { cwd: dir })).stdout);
    expect(built.articles.added).toEqual([]);
    const withDrafts = JSON.parse((await runCli(["build", "--json", "--drafts", "--now", FIXED_NOW], { cwd: dir })).stdout);
    expect(withDrafts.articles.added).toHaveLength(1);
  });

  it("never overwrites: exit 1, a clear message, the file untouched", async () => {
    const dir = await makeTempSite({});
    await runCli(["new", "Hello", "--now", FIXED_NOW], { cwd: dir });
    const file = path.join(dir, "articles/2025-12-31-hello.md");
    await writeFile(file, "my edits\n");
    const again = await runCli(["new", "Hello", "--now", FIXED_NOW], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toBe(
      "articles/2025-12-31-hello.md already exists; wirefeed new never overwrites an article\nhint: edit that file, or choose another headline or --slug\n",
    );
    expect(await readFile(file, "utf8")).toBe("my edits\n");
    const other = await runCli(["new", "Hello", "--now", FIXED_NOW, "--slug", "hello-again"], { cwd: dir });
    expect(other.stdout).toBe("articles/2025-12-31-hello-again.md\n");
  });

  it("refuses a slug another article has, and a headline with no usable slug", async () => {
    const dir = await makeTempSite({ "articles/2025-05-03-hello.md": article({ title: "Hello", date: "2025-05-03" }) });
    const twin = await runCli(["new", "Hello", "--now", FIXED_NOW], { cwd: dir });
    expect(twin.code).toBe(1);
    expect(twin.stderr).toContain('another article already has the slug "hello": articles/2025-05-03-hello.md');
    const symbols = await runCli(["new", "!!!", "--now", FIXED_NOW], { cwd: dir });
    expect(symbols.code).toBe(2);
    expect(symbols.stderr).toContain('--slug: the headline "!!!" gives no usable file name');
    const badSlug = await runCli(["new", "Hi", "--slug", "../escape", "--now", FIXED_NOW], { cwd: dir });
    expect(badSlug.code).toBe(2);
  });
});

describe("wirefeed preview (through main)", () => {
  it("serves on 127.0.0.1, and main resolves with 0 when the signal stops it", async () => {
    const dir = await makeTempSite(SAMPLE);
    const stop = new AbortController();
    let announced: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => {
      announced = resolve;
    });
    const running = runWith(["preview", "--port", "0", "--now", FIXED_NOW], {
      cwd: dir,
      signal: stop.signal,
      stderr: (text) => {
        const match = /Preview at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
        if (match) announced(match[1] as string);
      },
    });
    const address = await url;
    const response = await fetch(new URL("feed.json", address));
    expect(response.headers.get("content-type")).toBe("application/feed+json; charset=utf-8");
    expect(((await response.json()) as { items: { title: string }[] }).items[0]?.title).toBe("First story");
    stop.abort();
    const run = await running;
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^wrote     rss\.xml/m);
    expect(run.stderr).toContain("(127.0.0.1 only; Ctrl-C to stop)");
    expect(run.stderr).toMatch(/Preview stopped\.\n$/);
    await expect(fetch(address)).rejects.toThrow();
  });

  it("a port in use is a usage error (exit 2)", async () => {
    const dir = await makeTempSite(SAMPLE);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runCli(["preview", "--port", String(port), "--now", FIXED_NOW], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--port: port ${port} on 127.0.0.1 is in use`);
      expect(run.stderr).toContain("hint: pass --port with another number, or --port 0 for any free port");
    } finally {
      blocker.close();
    }
  });
});

describe("the bin entry, as a shell pipes it", () => {
  // Catches: `wirefeed check … | head` crashed with an unhandled EPIPE and a stack trace once
  // the reader had gone, instead of finishing with the check's own exit code.
  it("goes quiet when the reader of its output has gone, and exits with the command's code", async () => {
    const { spawn } = await import("node:child_process");
    const { createRequire } = await import("node:module");
    const { pathToFileURL } = await import("node:url");
    const dir = await makeTempSite({});
    // 3,000 items without a guid: a warning each, far more than a pipe holds.
    const items = Array.from({ length: 3000 }, (_, i) => `<item><title>Story ${i}</title><link>https://example.com/${i}</link></item>`).join("\n");
    const feed = path.join(dir, "rss.xml");
    await writeFile(
      feed,
      `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>T</title><link>https://example.com/</link><description>D</description>\n${items}\n</channel></rss>\n`,
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const child = spawn(process.execPath, ["--import", tsx, path.resolve("bin/wirefeed.ts"), "check", "--strict", "--now", FIXED_NOW, feed], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    // Read one chunk, then close the pipe, as `head` does.
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (exit) => resolve(exit)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    // The check's own code: with --strict, its 3,000 warnings fail it.
    expect(code).toBe(1);
  }, 60_000);
});
