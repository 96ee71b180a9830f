import { setTimeout as sleep } from "node:timers/promises";
import { WirefeedError } from "../errors.ts";
import { parseHttpUrl } from "../fields.ts";
import { hashFeedContents, type PingState } from "./ping-state.ts";

/** A feed as written to dist/: its public URL (the WebSub topic, its self link) and its bytes. */
export interface PingFeed {
  url: string;
  contents: string | Uint8Array;
}

export interface PingHubsOptions {
  /** Hub URLs from config, each an absolute http(s) URL. At least one. */
  hubs: readonly string[];
  /** Every feed the build wrote. Which of them changed is decided by hashing against `state`. */
  feeds: readonly PingFeed[];
  /** Hashes from the last run; `emptyPingState()` on the first. Never modified. */
  state: PingState;
  /**
   * Feed URLs known to have changed, as `build --json` lists them. When given, exactly these are
   * pinged and the hashes are not compared; an empty list pings nothing.
   */
  changed?: readonly string[];
  /** The HTTP client. Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Time allowed for one request, answer included, in milliseconds. Default: 10 000. */
  timeoutMs?: number;
  /** Wait before the one retry, in milliseconds. Default: 1 000. */
  retryDelayMs?: number;
  /** Requests in flight at once to one hub. Default: 4. */
  concurrency?: number;
}

/** How one feed URL fared at one hub. */
export interface FeedPing {
  /** The feed URL sent as `hub.url`. */
  url: string;
  /** True when the hub answered 2xx. */
  ok: boolean;
  /** Requests sent: 0 (skipped because the hub was unreachable), 1, or 2 with the retry. */
  attempts: number;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** Why it failed, in words: `HTTP 404: unknown topic`, `no answer within 10000 ms`, `ECONNREFUSED`. */
  error?: string;
}

/**
 * One hub's results. `ok`: it accepted every ping; `partial`: some; `failed`: none.
 */
export interface HubResult {
  hub: string;
  status: "ok" | "partial" | "failed";
  pings: FeedPing[];
}

export interface PingResult {
  /**
   * `nothing-changed`: no request was sent. `ok`: every hub accepted every ping. `partial`: some
   * pings failed but at least one hub accepted something. `failed`: no hub accepted anything,
   * the one case the CLI should exit non-zero.
   */
  outcome: "nothing-changed" | "ok" | "partial" | "failed";
  /** Feed URLs sent to the hubs, in the order given. */
  pinged: string[];
  /** Feed URLs skipped because their bytes match the state. */
  unchanged: string[];
  /** One entry per hub, in config order. */
  hubs: HubResult[];
  /** Hubs that accepted every ping. */
  succeeded: string[];
  /** Hubs that accepted no ping. Hubs with status `partial` are in neither list. */
  failed: string[];
  /**
   * The state to save: the old one, plus the new hash of every feed that at least one hub
   * accepted. A feed no hub accepted keeps its old hash, so the next run pings it again.
   */
  state: PingState;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY_DELAY_MS = 1_000;
const DEFAULT_CONCURRENCY = 4;

/**
 * Tell WebSub hubs which feeds changed (feed-standards §2.6): one `POST` per hub and feed URL,
 * `Content-Type: application/x-www-form-urlencoded`, body `hub.mode=publish&hub.url=<feed URL>`.
 * Run it after the deploy, because the hub fetches the feed as soon as it is told.
 *
 * Only feeds whose bytes differ from `state` (or those listed in `changed`) are sent; when none
 * did, no request is made. A request that fails on the network, times out, or gets 5xx or 429 is
 * retried once after `retryDelayMs`; any other non-2xx is final. Once a hub has failed on the
 * network, the rest of its pings are not sent, so a dead hub costs one timeout, not one per feed.
 * Throws WirefeedError for bad arguments; never for a hub's failure, which is in the result.
 */
export async function pingHubs(options: PingHubsOptions): Promise<PingResult> {
  const hubs = checkHubs(options.hubs);
  const timeoutMs = checkNumber(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, "timeoutMs", 1);
  const retryDelayMs = checkNumber(options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, "retryDelayMs", 0);
  const concurrency = Math.floor(checkNumber(options.concurrency ?? DEFAULT_CONCURRENCY, "concurrency", 1));
  const fetchImpl = options.fetch ?? globalThis.fetch;

  const hashes = new Map<string, string>();
  for (const [index, feed] of options.feeds.entries()) {
    checkFeedUrl(feed.url, `feeds[${index}].url`);
    if (!hashes.has(feed.url)) hashes.set(feed.url, hashFeedContents(feed.contents));
  }
  let pinged: string[];
  let unchanged: string[];
  if (options.changed) {
    options.changed.forEach((url, index) => checkFeedUrl(url, `changed[${index}]`));
    pinged = unique(options.changed);
    unchanged = [...hashes.keys()].filter((url) => !pinged.includes(url));
  } else {
    const all = [...hashes.keys()];
    pinged = all.filter((url) => options.state.sha256[url] !== hashes.get(url));
    unchanged = all.filter((url) => !pinged.includes(url));
  }

  if (pinged.length === 0) {
    return { outcome: "nothing-changed", pinged, unchanged, hubs: [], succeeded: [], failed: [], state: options.state };
  }

  const send = { fetch: fetchImpl, timeoutMs, retryDelayMs };
  const results = await Promise.all(hubs.map((hub) => pingHub(hub, pinged, concurrency, send)));

  const accepted = new Set(results.flatMap((result) => result.pings.filter((ping) => ping.ok).map((ping) => ping.url)));
  const sha256 = new Map(Object.entries(options.state.sha256));
  for (const url of accepted) {
    const hash = hashes.get(url);
    // A URL from `changed` that is not among `feeds` has no bytes to remember.
    if (hash !== undefined) sha256.set(url, hash);
  }

  const succeeded = results.filter((result) => result.status === "ok").map((result) => result.hub);
  const failed = results.filter((result) => result.status === "failed").map((result) => result.hub);
  const outcome = failed.length === results.length ? "failed" : succeeded.length === results.length ? "ok" : "partial";
  return { outcome, pinged, unchanged, hubs: results, succeeded, failed, state: { sha256: Object.fromEntries(sha256) } };
}

interface SendSettings {
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  retryDelayMs: number;
}

/** Every feed URL to one hub, `concurrency` at a time; results in feed order. */
async function pingHub(hub: string, urls: readonly string[], concurrency: number, send: SendSettings): Promise<HubResult> {
  const pings: FeedPing[] = new Array(urls.length);
  let unreachable: string | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const index = next++;
      const url = urls[index] as string;
      if (unreachable !== undefined) {
        pings[index] = { url, ok: false, attempts: 0, error: `not sent: hub unreachable (${unreachable})` };
        continue;
      }
      const { ping, networkError } = await pingWithRetry(hub, url, send);
      if (networkError !== undefined) unreachable ??= networkError;
      pings[index] = ping;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
  const okCount = pings.filter((ping) => ping.ok).length;
  const status = okCount === pings.length ? "ok" : okCount === 0 ? "failed" : "partial";
  return { hub, status, pings };
}

type Attempt =
  | { kind: "accepted"; status: number }
  | { kind: "rejected"; status: number; retry: boolean; error: string }
  | { kind: "network"; error: string };

async function pingWithRetry(
  hub: string,
  url: string,
  send: SendSettings,
): Promise<{ ping: FeedPing; networkError?: string }> {
  let attempt = await postOnce(hub, url, send);
  let attempts = 1;
  const retryable = attempt.kind === "network" || (attempt.kind === "rejected" && attempt.retry);
  if (retryable) {
    await sleep(send.retryDelayMs);
    attempt = await postOnce(hub, url, send);
    attempts = 2;
  }
  switch (attempt.kind) {
    case "accepted":
      return { ping: { url, ok: true, attempts, status: attempt.status } };
    case "rejected":
      return { ping: { url, ok: false, attempts, status: attempt.status, error: attempt.error } };
    case "network":
      return { ping: { url, ok: false, attempts, error: attempt.error }, networkError: attempt.error };
  }
}

/** One POST, bounded by the timeout from the request to the end of the answer's body. */
async function postOnce(hub: string, url: string, send: SendSettings): Promise<Attempt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), send.timeoutMs);
  try {
    const response = await send.fetch(hub, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "wirefeed" },
      // A string body keeps the Content-Type exactly as set; URLSearchParams percent-encodes the URL.
      body: new URLSearchParams([
        ["hub.mode", "publish"],
        ["hub.url", url],
      ]).toString(),
      // A redirected POST would arrive as a GET without the body; report the new address instead.
      redirect: "manual",
      signal: controller.signal,
    });
    // Read the answer to free the connection and to quote the hub's reason on failure.
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) return { kind: "accepted", status: response.status };
    const location = response.headers.get("location");
    const reason =
      response.status >= 300 && response.status < 400 && location
        ? `redirects to ${location}; put that URL in hubs`
        : text.replace(/\s+/g, " ").trim().slice(0, 200);
    return {
      kind: "rejected",
      status: response.status,
      retry: response.status >= 500 || response.status === 429,
      error: `HTTP ${response.status}${reason ? `: ${reason}` : ""}`,
    };
  } catch (error) {
    if (controller.signal.aborted) return { kind: "network", error: `no answer within ${send.timeoutMs} ms` };
    return { kind: "network", error: describeNetworkError(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** fetch says only "fetch failed"; the reason ("connect ECONNREFUSED 127.0.0.1:9", "other side closed") is in its cause. */
function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message) return cause.message;
  if (cause && typeof cause === "object") {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return error instanceof Error ? error.message : String(error);
}

function checkHubs(hubs: readonly string[]): string[] {
  if (hubs.length === 0) {
    throw new WirefeedError("CONFIG_INVALID", "no WebSub hub to ping", {
      field: "hubs",
      hint: 'add hubs: ["https://pubsubhubbub.appspot.com/"] (or your own hub) to the config',
    });
  }
  hubs.forEach((hub, index) => {
    if (!parseHttpUrl(hub)) {
      throw new WirefeedError("CONFIG_INVALID", `expected an absolute http(s) URL, got ${JSON.stringify(hub)}`, {
        field: `hubs[${index}]`,
      });
    }
  });
  return unique(hubs);
}

function checkFeedUrl(url: string, field: string): void {
  if (!parseHttpUrl(url)) {
    throw new WirefeedError("USAGE", `expected an absolute http(s) feed URL, got ${JSON.stringify(url)}`, { field });
  }
}

function checkNumber(value: number, field: string, minimum: number): number {
  if (!Number.isFinite(value) || value < minimum) {
    throw new WirefeedError("USAGE", `expected a number of at least ${minimum}, got ${String(value)}`, { field });
  }
  return value;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
