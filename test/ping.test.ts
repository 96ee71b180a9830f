import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WirefeedError } from "../src/errors.ts";
import { type PingFeed, pingHubs } from "../src/ping/ping-hubs.ts";
import {
  emptyPingState,
  hashFeedContents,
  type PingState,
  parsePingState,
  serializePingState,
} from "../src/ping/ping-state.ts";

/** Every hub in these tests listens on the loopback interface; nothing leaves the machine. */
const LOOPBACK = "127.0.0.1";

interface HubRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the hub does with a request: answer with a status (and optional text), or never answer. */
type HubAnswer = number | { status: number; body?: string; headers?: Record<string, string> } | "hang";

interface Hub {
  url: string;
  requests: HubRequest[];
  close: () => Promise<void>;
}

const running: Hub[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((hub) => hub.close()));
});

/** A real WebSub hub stand-in on 127.0.0.1, port chosen by the OS, recording every request. */
async function startHub(answer: (request: HubRequest, index: number) => HubAnswer = () => 204): Promise<Hub> {
  const requests: HubRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: HubRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: performance.now(),
      };
      requests.push(request);
      const reply = answer(request, requests.length - 1);
      if (reply === "hang") return;
      const { status, body = "", headers = {} } = typeof reply === "number" ? { status: reply } : reply;
      res.writeHead(status, { "Content-Type": "text/plain", ...headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as AddressInfo;
  const hub: Hub = {
    url: `http://${LOOPBACK}:${port}/hub`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  running.push(hub);
  return hub;
}

/**
 * A hub that is down: its port is held open, but every connection is dropped at once, so the
 * client sees a network failure. (A released port would give ECONNREFUSED, but the OS may hand
 * the same port to the next test server.)
 */
async function startDownHub(): Promise<string> {
  const server = createServer();
  server.on("connection", (socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${LOOPBACK}:${port}/hub`;
  running.push({ url, requests: [], close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return url;
}

const RSS = "https://example.com/blog/rss.xml";
const ATOM = "https://example.com/blog/atom.xml";
const TAG = "https://example.com/blog/tags/caf%C3%A9/rss.xml?v=1&x=a b";

const FEEDS: PingFeed[] = [
  { url: RSS, contents: "<rss>one</rss>\n" },
  { url: ATOM, contents: "<feed>one</feed>\n" },
];

/** Fast settings so failures take milliseconds. */
const FAST = { timeoutMs: 2_000, retryDelayMs: 10 };

describe("pingHubs against a real loopback hub", () => {
  it("POSTs hub.mode=publish&hub.url=<feed URL>, form-encoded, once per changed feed", async () => {
    const hub = await startHub();
    const result = await pingHubs({ hubs: [hub.url], feeds: FEEDS, state: emptyPingState(), ...FAST });

    expect(hub.requests).toHaveLength(2);
    const byBody = [...hub.requests].sort((a, b) => a.body.localeCompare(b.body));
    expect(byBody.map((request) => request.body)).toEqual([
      "hub.mode=publish&hub.url=https%3A%2F%2Fexample.com%2Fblog%2Fatom.xml",
      "hub.mode=publish&hub.url=https%3A%2F%2Fexample.com%2Fblog%2Frss.xml",
    ]);
    for (const request of hub.requests) {
      expect(request.method).toBe("POST");
      expect(request.path).toBe("/hub");
      expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    }
    expect(result.outcome).toBe("ok");
    expect(result.pinged).toEqual([RSS, ATOM]);
    expect(result.succeeded).toEqual([hub.url]);
    expect(result.failed).toEqual([]);
    expect(result.hubs).toEqual([
      {
        hub: hub.url,
        status: "ok",
        pings: [
          { url: RSS, ok: true, attempts: 1, status: 204 },
          { url: ATOM, ok: true, attempts: 1, status: 204 },
        ],
      },
    ]);
  });

  it("percent-encodes a feed URL with UTF-8, a query, & and a space so the hub reads it back exactly", async () => {
    const hub = await startHub();
    await pingHubs({ hubs: [hub.url], feeds: [{ url: TAG, contents: "x" }], state: emptyPingState(), ...FAST });
    const [request] = hub.requests;
    expect(request?.body).toBe(
      "hub.mode=publish&hub.url=https%3A%2F%2Fexample.com%2Fblog%2Ftags%2Fcaf%25C3%25A9%2Frss.xml%3Fv%3D1%26x%3Da+b",
    );
    expect([...new URLSearchParams(request?.body)]).toEqual([
      ["hub.mode", "publish"],
      ["hub.url", TAG],
    ]);
  });

  it("records the hash of every accepted feed in the new state, leaving the given state untouched", async () => {
    const hub = await startHub();
    const state: PingState = { sha256: { "https://example.com/old.xml": "a".repeat(64) } };
    const result = await pingHubs({ hubs: [hub.url], feeds: FEEDS, state, ...FAST });
    expect(result.state.sha256).toEqual({
      "https://example.com/old.xml": "a".repeat(64),
      [RSS]: hashFeedContents("<rss>one</rss>\n"),
      [ATOM]: hashFeedContents("<feed>one</feed>\n"),
    });
    expect(Object.keys(state.sha256)).toEqual(["https://example.com/old.xml"]);
  });

  it("sends nothing when no feed changed since the last ping, and only the changed feed later", async () => {
    const hub = await startHub();
    const first = await pingHubs({ hubs: [hub.url], feeds: FEEDS, state: emptyPingState(), ...FAST });
    expect(hub.requests).toHaveLength(2);

    const second = await pingHubs({ hubs: [hub.url], feeds: FEEDS, state: first.state, ...FAST });
    expect(hub.requests).toHaveLength(2);
    expect(second).toEqual({
      outcome: "nothing-changed",
      pinged: [],
      unchanged: [RSS, ATOM],
      hubs: [],
      succeeded: [],
      failed: [],
      state: first.state,
    });

    const edited = [FEEDS[0] as PingFeed, { url: ATOM, contents: "<feed>two</feed>\n" }];
    const third = await pingHubs({ hubs: [hub.url], feeds: edited, state: second.state, ...FAST });
    expect(hub.requests).toHaveLength(3);
    expect(hub.requests[2]?.body).toBe("hub.mode=publish&hub.url=https%3A%2F%2Fexample.com%2Fblog%2Fatom.xml");
    expect(third.pinged).toEqual([ATOM]);
    expect(third.unchanged).toEqual([RSS]);
  });

  it("retries once after a 503 and succeeds on the 204, waiting retryDelayMs in between", async () => {
    const hub = await startHub((_request, index) => (index === 0 ? 503 : 204));
    const result = await pingHubs({
      hubs: [hub.url],
      feeds: [FEEDS[0] as PingFeed],
      state: emptyPingState(),
      timeoutMs: 2_000,
      retryDelayMs: 150,
    });
    expect(hub.requests.map((request) => request.body)).toEqual([
      "hub.mode=publish&hub.url=https%3A%2F%2Fexample.com%2Fblog%2Frss.xml",
      "hub.mode=publish&hub.url=https%3A%2F%2Fexample.com%2Fblog%2Frss.xml",
    ]);
    const [first, second] = hub.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(140);
    expect(result.outcome).toBe("ok");
    expect(result.hubs[0]?.pings).toEqual([{ url: RSS, ok: true, attempts: 2, status: 204 }]);
  });

  it("retries a 429 too, but only once: two refusals fail the ping", async () => {
    const hub = await startHub(() => ({ status: 429, body: "slow down" }));
    const result = await pingHubs({ hubs: [hub.url], feeds: [FEEDS[0] as PingFeed], state: emptyPingState(), ...FAST });
    expect(hub.requests).toHaveLength(2);
    expect(result.hubs[0]?.pings).toEqual([{ url: RSS, ok: false, attempts: 2, status: 429, error: "HTTP 429: slow down" }]);
    expect(result.outcome).toBe("failed");
  });

  it("does not retry a 4xx, and quotes the hub's reason", async () => {
    const hub = await startHub(() => ({ status: 400, body: "hub.url\n is not allowed" }));
    const result = await pingHubs({ hubs: [hub.url], feeds: [FEEDS[0] as PingFeed], state: emptyPingState(), ...FAST });
    expect(hub.requests).toHaveLength(1);
    expect(result.hubs[0]?.pings[0]).toEqual({
      url: RSS,
      ok: false,
      attempts: 1,
      status: 400,
      error: "HTTP 400: hub.url is not allowed",
    });
  });

  it("does not follow a redirect (the POST would become a GET) and names the new address", async () => {
    const hub = await startHub(() => ({ status: 308, headers: { Location: "http://127.0.0.1:9/new-hub" } }));
    const result = await pingHubs({ hubs: [hub.url], feeds: [FEEDS[0] as PingFeed], state: emptyPingState(), ...FAST });
    expect(hub.requests).toHaveLength(1);
    expect(result.hubs[0]?.pings[0]?.error).toBe("HTTP 308: redirects to http://127.0.0.1:9/new-hub; put that URL in hubs");
    expect(result.outcome).toBe("failed");
  });

  it("gives up on a hub that never answers after timeoutMs, retries once, and skips its other feeds", async () => {
    const hub = await startHub(() => "hang");
    const started = performance.now();
    const result = await pingHubs({
      hubs: [hub.url],
      feeds: FEEDS,
      state: emptyPingState(),
      timeoutMs: 200,
      retryDelayMs: 10,
      concurrency: 1,
    });
    const elapsed = performance.now() - started;
    expect(hub.requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(5_000);
    expect(result.hubs[0]?.pings).toEqual([
      { url: RSS, ok: false, attempts: 2, error: "no answer within 200 ms" },
      { url: ATOM, ok: false, attempts: 0, error: "not sent: hub unreachable (no answer within 200 ms)" },
    ]);
    expect(result.outcome).toBe("failed");
    expect(result.state).toEqual(emptyPingState());
  });

  it("succeeds overall when one hub is down and another is up, and saves the new hashes", async () => {
    const down = await startDownHub();
    const up = await startHub();
    const result = await pingHubs({ hubs: [down, up.url], feeds: FEEDS, state: emptyPingState(), ...FAST });
    expect(up.requests).toHaveLength(2);
    expect(result.outcome).toBe("partial");
    expect(result.succeeded).toEqual([up.url]);
    expect(result.failed).toEqual([down]);
    const downResult = result.hubs[0];
    expect(downResult?.status).toBe("failed");
    expect(downResult?.pings[0]).toMatchObject({ url: RSS, ok: false, attempts: 2 });
    expect(downResult?.pings[0]?.error).toMatch(/closed|reset|socket/i);
    expect(Object.keys(result.state.sha256).sort()).toEqual([ATOM, RSS]);
  });

  it("fails when every hub is down, and keeps the old state so the next run pings again", async () => {
    const hubs = [await startDownHub(), await startDownHub()];
    const state = emptyPingState();
    const result = await pingHubs({ hubs, feeds: FEEDS, state, ...FAST });
    expect(result.outcome).toBe("failed");
    expect(result.succeeded).toEqual([]);
    expect(result.failed).toEqual(hubs);
    expect(result.state).toEqual(state);
    expect(result.hubs.every((hub) => hub.pings.every((ping) => !ping.ok))).toBe(true);
  });

  it("only records feeds that at least one hub accepted", async () => {
    const hub = await startHub((request) => (request.body.includes("atom.xml") ? 404 : 202));
    const result = await pingHubs({ hubs: [hub.url], feeds: FEEDS, state: emptyPingState(), ...FAST });
    expect(result.outcome).toBe("partial");
    expect(result.hubs[0]?.status).toBe("partial");
    expect(result.succeeded).toEqual([]);
    expect(result.failed).toEqual([]);
    expect(Object.keys(result.state.sha256)).toEqual([RSS]);
  });

  it("pings exactly the URLs of an explicit changed list, whatever the hashes say", async () => {
    const hub = await startHub();
    const state: PingState = { sha256: Object.fromEntries(FEEDS.map((feed) => [feed.url, hashFeedContents(feed.contents)])) };
    const result = await pingHubs({ hubs: [hub.url], feeds: FEEDS, state, changed: [ATOM, ATOM, TAG], ...FAST });
    expect(hub.requests.map((request) => new URLSearchParams(request.body).get("hub.url")).sort()).toEqual([ATOM, TAG].sort());
    expect(result.pinged).toEqual([ATOM, TAG]);
    expect(result.unchanged).toEqual([RSS]);
    // TAG has no bytes here, so there is no hash to remember for it.
    expect(Object.keys(result.state.sha256).sort()).toEqual([ATOM, RSS]);

    const none = await pingHubs({ hubs: [hub.url], feeds: FEEDS, state, changed: [], ...FAST });
    expect(none.outcome).toBe("nothing-changed");
    expect(hub.requests).toHaveLength(2);
  });

  it("sends to every hub in the config, deduplicated", async () => {
    const first = await startHub();
    const second = await startHub();
    const result = await pingHubs({
      hubs: [first.url, second.url, first.url],
      feeds: FEEDS,
      state: emptyPingState(),
      ...FAST,
    });
    expect(first.requests).toHaveLength(2);
    expect(second.requests).toHaveLength(2);
    expect(result.succeeded).toEqual([first.url, second.url]);
  });
});

describe("pingHubs input checks", () => {
  const neverFetch: typeof fetch = () => {
    throw new Error("no request may be sent");
  };
  const base = { hubs: ["http://127.0.0.1:9/hub"], feeds: FEEDS, state: emptyPingState(), fetch: neverFetch };

  it.each([
    ["no hub", { hubs: [] }, "CONFIG_INVALID", "hubs"],
    ["a relative hub", { hubs: ["/hub"] }, "CONFIG_INVALID", "hubs[0]"],
    ["a non-http hub", { hubs: ["ftp://127.0.0.1/hub"] }, "CONFIG_INVALID", "hubs[0]"],
    ["a relative feed URL", { feeds: [{ url: "rss.xml", contents: "" }] }, "USAGE", "feeds[0].url"],
    ["a bad changed URL", { changed: [RSS, "atom.xml"] }, "USAGE", "changed[1]"],
    ["a zero timeout", { timeoutMs: 0 }, "USAGE", "timeoutMs"],
    ["a negative retry delay", { retryDelayMs: -1 }, "USAGE", "retryDelayMs"],
    ["no concurrency", { concurrency: 0 }, "USAGE", "concurrency"],
  ] as const)("rejects %s with WirefeedError %s", async (_name, override, code, field) => {
    const error = await pingHubs({ ...base, ...override }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WirefeedError);
    expect(error).toMatchObject({ code, field });
  });

  it("uses the injected fetch and sends nothing when nothing changed", async () => {
    const state: PingState = { sha256: Object.fromEntries(FEEDS.map((feed) => [feed.url, hashFeedContents(feed.contents)])) };
    const result = await pingHubs({ ...base, state });
    expect(result.outcome).toBe("nothing-changed");
  });

  it("reports a client that throws as a network failure, not an exception", async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
      });
    };
    const result = await pingHubs({ ...base, fetch: failing, retryDelayMs: 0 });
    expect(result.outcome).toBe("failed");
    expect(result.hubs[0]?.pings[0]).toEqual({ url: RSS, ok: false, attempts: 2, error: "connect ECONNREFUSED 127.0.0.1:9" });
  });
});

describe("ping state file", () => {
  it("serialises sorted, versioned JSON with a final newline and reads it back", () => {
    const state: PingState = { sha256: { [RSS]: "b".repeat(64), [ATOM]: "a".repeat(64) } };
    const text = serializePingState(state);
    expect(text).toBe(
      `{\n  "version": 1,\n  "sha256": {\n    "${ATOM}": "${"a".repeat(64)}",\n    "${RSS}": "${"b".repeat(64)}"\n  }\n}\n`,
    );
    expect(parsePingState(text)).toEqual(state);
  });

  it("hashes the UTF-8 bytes: a string and its Buffer give the same hash", () => {
    expect(hashFeedContents("café")).toBe(hashFeedContents(Buffer.from("café", "utf8")));
    expect(hashFeedContents("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("keeps a __proto__ key as a plain entry", () => {
    const state = parsePingState(`{"version":1,"sha256":{"__proto__":"${"c".repeat(64)}"}}`);
    expect(Object.keys(state.sha256)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(state.sha256)).toBe(Object.prototype);
  });

  it.each([
    ["not JSON", "{", undefined],
    ["an array", "[]", undefined],
    ["another version", '{"version":2,"sha256":{}}', "version"],
    ["no mapping", '{"version":1}', "sha256"],
    ["a bad hash", `{"version":1,"sha256":{"${RSS}":"xyz"}}`, `sha256["${RSS}"]`],
  ])("refuses %s, naming the file and how to start over", (_name, text, field) => {
    const error = (() => {
      try {
        parsePingState(text, "site/wirefeed-ping.json");
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(WirefeedError);
    expect(error).toMatchObject({ code: "USAGE", file: "site/wirefeed-ping.json", field });
    expect((error as WirefeedError).hint).toContain("delete site/wirefeed-ping.json");
  });
});
