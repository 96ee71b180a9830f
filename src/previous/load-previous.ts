import { readFile } from "node:fs/promises";
import path from "node:path";
import { WirefeedError } from "../errors.ts";
import { parseHttpUrl } from "../fields.ts";
import type { PublishedItem } from "./compare-previous.ts";

export interface PreviousFeed {
  /** Where it came from, for messages. */
  source: string;
  /** Undefined when nothing is published there yet (no file, or HTTP 404). */
  items: PublishedItem[] | undefined;
}

/**
 * Read the JSON Feed that is published now: from a folder (a restored dist/) or over HTTP (a
 * site URL, or the feed's own URL).
 */
export async function loadPrevious(
  source: string,
  options: { root: string; jsonFile: string; fetch?: typeof fetch; timeoutMs?: number },
): Promise<PreviousFeed> {
  const url = parseHttpUrl(source);
  let text: string | undefined;
  let where: string;
  if (url) {
    const target = url.pathname.endsWith(".json") ? url : new URL(options.jsonFile, url.href.endsWith("/") ? url : `${url.href}/`);
    where = target.href;
    const response = await (options.fetch ?? fetch)(target, { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) }).catch((cause: unknown) => {
      throw new WirefeedError("USAGE", `cannot fetch the published feed ${where}: ${(cause as Error).message}`, {
        field: "--previous",
        cause,
        hint: "check the URL, or pass a restored copy of the published folder",
      });
    });
    if (response.status === 404) return { source: where, items: undefined };
    if (!response.ok) {
      throw new WirefeedError("USAGE", `cannot fetch the published feed ${where}: HTTP ${response.status}`, { field: "--previous" });
    }
    text = await response.text();
  } else {
    const file = path.resolve(options.root, source, options.jsonFile);
    where = path.relative(options.root, file) || file;
    text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) return { source: where, items: undefined };
  }
  try {
    const document = JSON.parse(text) as { items?: unknown };
    if (!Array.isArray(document.items)) throw new Error("no items list");
    return {
      source: where,
      items: (document.items as PublishedItem[]).filter((item) => typeof item?.id === "string"),
    };
  } catch (cause) {
    throw new WirefeedError("USAGE", `the published feed ${where} is not a JSON Feed: ${(cause as Error).message}`, {
      field: "--previous",
      cause,
    });
  }
}
