import { readFile, writeFile } from "node:fs/promises";
import { type IncomingMessage, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { article, makeTempSite, runCli } from "./helpers.ts";

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

async function listen(handler: (request: IncomingMessage, body: string) => number): Promise<string> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    request.on("end", () => response.writeHead(handler(request, body)).end());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe("wirefeed schedule", () => {
  const files = {
    "articles/live.md": article({ title: "Live", date: "2026-01-01T08:00:00Z", expires: "2026-02-01T00:00:00Z" }),
    "articles/soon.md": article({ title: "Soon", date: "2026-01-05" }),
    "articles/draft.md": article({ title: "Draft", date: "2026-01-03", draft: true }),
  };

  it("lists scheduled and expiring articles in the site's time zone and in UTC", async () => {
    const dir = await makeTempSite(files);
    const run = await runCli(["schedule", "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "Scheduled after 2026-01-01T18:00:00-06:00, in America/Mexico_City and UTC:",
        '  publish  2026-01-05T00:00:00-06:00  2026-01-05T06:00:00.000Z  articles/soon.md  "Soon"',
        '  expire   2026-01-31T18:00:00-06:00  2026-02-01T00:00:00.000Z  articles/live.md  "Live"',
        "",
      ].join("\n"),
    );
  });

  it("--next prints only the next instant the output changes, or nothing", async () => {
    const dir = await makeTempSite(files);
    expect((await runCli(["schedule", "--next", "--now", "2026-01-02T00:00:00Z"], { cwd: dir })).stdout).toBe("2026-01-05T06:00:00.000Z\n");
    expect((await runCli(["schedule", "--next", "--now", "2026-01-06T00:00:00Z"], { cwd: dir })).stdout).toBe("2026-02-01T00:00:00.000Z\n");
    const none = await runCli(["schedule", "--next", "--now", "2026-03-01T00:00:00Z"], { cwd: dir });
    expect(none).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("--json gives the same list for scripts", async () => {
    const dir = await makeTempSite(files);
    const run = await runCli(["schedule", "--json", "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    const parsed = JSON.parse(run.stdout);
    expect(parsed.next).toBe("2026-01-05T06:00:00.000Z");
    expect(parsed.entries.map((entry: { action: string; file: string }) => `${entry.action} ${entry.file}`)).toEqual(["publish articles/soon.md", "expire articles/live.md"]);
  });
});

describe("wirefeed build --exit-code, --json due/expired, --previous", () => {
  it("exits 0 when feeds changed and 3 when nothing changed", async () => {
    const dir = await makeTempSite({ "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z" }) });
    expect((await runCli(["build", "--exit-code", "--now", "2026-01-02T00:00:00Z"], { cwd: dir })).code).toBe(0);
    const again = await runCli(["build", "--exit-code", "--now", "2026-01-02T00:10:00Z"], { cwd: dir });
    expect(again.code).toBe(3);
    expect(again.stderr).toContain("Nothing changed (exit code 3).");
    await writeFile(path.join(dir, "articles/b.md"), article({ title: "B", date: "2026-01-02T00:05:00Z" }));
    expect((await runCli(["build", "--exit-code", "--now", "2026-01-02T00:20:00Z"], { cwd: dir })).code).toBe(0);
  });

  it("--json reports the items that became due and the ones that expired in this run", async () => {
    const dir = await makeTempSite({
      "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z", expires: "2026-01-03T00:00:00Z" }),
      "articles/b.md": article({ title: "B", date: "2026-01-02T12:00:00Z" }),
    });
    await runCli(["build", "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    const run = await runCli(["build", "--json", "--now", "2026-01-03T00:00:00Z"], { cwd: dir });
    const summary = JSON.parse(run.stdout);
    expect(summary.due.map((item: { title: string }) => item.title)).toEqual(["B"]);
    expect(summary.expired).toEqual([{ id: "tag:example.com,2025:2026-01-01/a", title: "A", expires: "2026-01-03T00:00:00.000Z" }]);
    expect(summary.changed).toBe(true);
  });

  it("--previous URL fails with exit 1 on an id change, and --allow-id-change lets it through", async () => {
    const dir = await makeTempSite({ "articles/story.md": article({ title: "Story", date: "2026-01-01T08:00:00Z" }) });
    await runCli(["build", "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    const published = await readFile(path.join(dir, "dist/feed.json"), "utf8");
    // Serve the published feed.json from a loopback "site".
    const feedServer = createServer((request, response) => {
      if (request.url === "/feed.json") response.writeHead(200, { "content-type": "application/feed+json" }).end(published);
      else response.writeHead(404).end();
    });
    servers.push(feedServer);
    await new Promise<void>((resolve) => feedServer.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/`;

    await writeFile(path.join(dir, "articles/story.md"), article({ title: "Story", date: "2026-01-01T08:00:00Z", id: "urn:uuid:5c9a1f3e-0d1b-4c55-9d1a-2b8a6b2f4e11" }));
    const refused = await runCli(["build", "--previous", url, "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'articles/story.md: id: published item "Story" would change its id from "tag:example.com,2025:2026-01-01/story" to "urn:uuid:5c9a1f3e-0d1b-4c55-9d1a-2b8a6b2f4e11"',
    );
    expect(await readFile(path.join(dir, "dist/feed.json"), "utf8")).toBe(published);
    const allowed = await runCli(["build", "--previous", url, "--allow-id-change", "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    expect(allowed.code).toBe(0);
  });
});

describe("wirefeed ping", () => {
  it("pings each hub for each changed feed after a build, then nothing until the bytes change", async () => {
    const received: { contentType: string | undefined; body: string }[] = [];
    const hub = await listen((request, body) => {
      received.push({ contentType: request.headers["content-type"], body });
      return 204;
    });
    const dir = await makeTempSite({ "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z" }) }, {
      hubs: [hub],
      feeds: { tags: false, sections: false },
    });
    await runCli(["build", "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    const first = await runCli(["ping"], { cwd: dir });
    expect(first.code).toBe(0);
    expect(received.map((r) => r.body).sort()).toEqual(
      ["atom.xml", "feed.json", "rss.xml"].map((file) => `hub.mode=publish&hub.url=${encodeURIComponent(`https://example.com/blog/${file}`)}`).sort(),
    );
    expect(received.every((r) => r.contentType === "application/x-www-form-urlencoded")).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, ".wirefeed/ping.json"), "utf8")).version).toBe(1);

    const second = await runCli(["ping"], { cwd: dir });
    expect(second.stderr).toContain("No feed changed since the last ping; nothing sent.");
    expect(received).toHaveLength(3);

    await writeFile(path.join(dir, "articles/b.md"), article({ title: "B", date: "2026-01-01T09:00:00Z" }));
    await runCli(["build", "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    await runCli(["ping"], { cwd: dir });
    expect(received).toHaveLength(6);
  });

  it("exits 1 only when every hub failed, and keeps the state so the next ping retries", async () => {
    const down = await listen(() => 500);
    const dir = await makeTempSite({ "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z" }) }, {
      hubs: [down],
      feeds: { tags: false, sections: false },
    });
    await runCli(["build", "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    const failed = await runCli(["ping", "--timeout", "2000"], { cwd: dir });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("Every hub failed");
  }, 30_000);

  it("with no hubs configured says so and exits 0", async () => {
    const dir = await makeTempSite({ "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z" }) });
    await runCli(["build", "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    const run = await runCli(["ping"], { cwd: dir });
    expect(run).toMatchObject({ code: 0, stderr: "No hubs in the config (hubs: […]); nothing to ping.\n" });
  });
});

describe("the build instant", () => {
  it("SOURCE_DATE_EPOCH pins it like --now, and --now wins over it", async () => {
    const dir = await makeTempSite({
      "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z" }),
      "articles/b.md": article({ title: "B", date: "2026-01-03T08:00:00Z" }),
    });
    const titles = async () => (JSON.parse(await readFile(path.join(dir, "dist/feed.json"), "utf8")).items as { title: string }[]).map((item) => item.title);
    // 2026-01-02T00:00:00Z: only A is due.
    expect((await runCli(["build"], { cwd: dir, env: { SOURCE_DATE_EPOCH: "1767312000" } })).code).toBe(0);
    expect(await titles()).toEqual(["A"]);
    // 2026-01-04T00:00:00Z: both.
    await runCli(["build"], { cwd: dir, env: { SOURCE_DATE_EPOCH: "1767484800" } });
    expect(await titles()).toEqual(["B", "A"]);
    await runCli(["build", "--now", "2026-01-02T00:00:00Z"], { cwd: dir, env: { SOURCE_DATE_EPOCH: "1767484800" } });
    expect(await titles()).toEqual(["A"]);
    const bad = await runCli(["build"], { cwd: dir, env: { SOURCE_DATE_EPOCH: "yesterday" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('SOURCE_DATE_EPOCH: expected whole seconds since 1970, got "yesterday"');
  });
});

describe("build --json feeds ping --changed", () => {
  it("lists each file's URL, and ping --changed with the written feeds' URLs pings exactly those", async () => {
    const bodies: string[] = [];
    const hub = await listen((_request, body) => {
      bodies.push(body);
      return 202;
    });
    const dir = await makeTempSite({ "articles/a.md": article({ title: "A", date: "2026-01-01T08:00:00Z" }) }, {
      hubs: [hub],
      feeds: { tags: false, sections: false },
    });
    const built = JSON.parse((await runCli(["build", "--json", "--now", "2026-01-02T00:00:00Z"], { cwd: dir })).stdout);
    const urls = (built.files as { state: string; items?: number; url: string }[]).filter((file) => file.state === "written" && file.items !== undefined).map((file) => file.url);
    expect(urls).toEqual(["rss.xml", "atom.xml", "feed.json"].map((name) => `https://example.com/blog/${name}`));
    const run = await runCli(["ping", "--changed", urls.join(","), "--now", "2026-01-02T00:00:00Z"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(bodies.sort()).toEqual(urls.map((url) => `hub.mode=publish&hub.url=${encodeURIComponent(url)}`).sort());
  });
});
