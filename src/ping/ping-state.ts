import { createHash } from "node:crypto";
import { WirefeedError } from "../errors.ts";

/**
 * What `wirefeed ping` remembers between runs: for each feed URL, the SHA-256 of the bytes that
 * a hub last accepted. A feed is pinged again only when its hash differs. The file is small,
 * sorted JSON, meant to be committed next to the site, so CI runs share it:
 *
 * ```json
 * { "version": 1, "sha256": { "https://example.com/rss.xml": "9f86d08…" } }
 * ```
 */
export interface PingState {
  /** Feed URL → lowercase hex SHA-256 of the feed's bytes when last pinged. */
  sha256: Readonly<Record<string, string>>;
}

/** The file format's version; a file with another one is refused rather than misread. */
export const PING_STATE_VERSION = 1;

/** The file name the CLI is expected to use, relative to the project root. */
export const PING_STATE_FILE = "wirefeed-ping.json";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The state of a site that was never pinged: every feed counts as changed. */
export function emptyPingState(): PingState {
  return { sha256: {} };
}

/** Lowercase hex SHA-256 of a feed's bytes (a string is hashed as its UTF-8 encoding). */
export function hashFeedContents(contents: string | Uint8Array): string {
  return createHash("sha256").update(contents).digest("hex");
}

/**
 * The state file's text → PingState. Throws WirefeedError (USAGE) naming `file` when the text
 * is not a state file of this version; the hint says how to start over.
 */
export function parsePingState(text: string, file: string = PING_STATE_FILE): PingState {
  const hint = `delete ${file} to ping every feed again on the next run`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new WirefeedError("USAGE", "the ping state file is not valid JSON", { file, hint, cause });
  }
  if (!isRecord(data)) {
    throw new WirefeedError("USAGE", "the ping state file must hold a JSON object", { file, hint });
  }
  if (data.version !== PING_STATE_VERSION) {
    throw new WirefeedError(
      "USAGE",
      `the ping state file has version ${JSON.stringify(data.version)}; this wirefeed reads version ${PING_STATE_VERSION}`,
      { file, field: "version", hint },
    );
  }
  const hashes = data.sha256;
  if (!isRecord(hashes)) {
    throw new WirefeedError("USAGE", "expected a mapping of feed URL to SHA-256", { file, field: "sha256", hint });
  }
  const entries: [string, string][] = [];
  for (const [url, hash] of Object.entries(hashes)) {
    if (typeof hash !== "string" || !SHA256_HEX.test(hash)) {
      throw new WirefeedError("USAGE", `expected 64 lowercase hex digits, got ${JSON.stringify(hash)}`, {
        file,
        field: `sha256[${JSON.stringify(url)}]`,
        hint,
      });
    }
    entries.push([url, hash]);
  }
  // fromEntries defines own properties, so even a "__proto__" key stays a plain entry.
  return { sha256: Object.fromEntries(entries) };
}

/** PingState → the state file's text: keys sorted, two-space indent, final newline, so diffs stay small. */
export function serializePingState(state: PingState): string {
  const sha256 = Object.fromEntries(Object.entries(state.sha256).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ version: PING_STATE_VERSION, sha256 }, null, 2)}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
