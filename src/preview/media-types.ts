import path from "node:path";
import type { FormatKey } from "../model/types.ts";

/** What each feed format is served as (feed-standards §2.7): never text/xml or application/json. */
export const FEED_MEDIA_TYPES: Record<FormatKey, string> = {
  rss: "application/rss+xml",
  atom: "application/atom+xml",
  json: "application/feed+json",
};

const BY_EXTENSION: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".xsl": "text/xsl; charset=utf-8",
  ".opml": "text/x-opml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".mp3": "audio/mpeg",
  ".mp4": "video/mp4",
  ".pdf": "application/pdf",
};

/**
 * The Content-Type of a file in the output folder. Feed files are known by the names the config
 * gives them, in any folder (tag feeds use the same names).
 */
export function lookUpMediaType(file: string, feedFiles: Record<FormatKey, string>): string {
  const name = path.basename(file);
  for (const key of ["rss", "atom", "json"] as const) {
    if (name === feedFiles[key]) return `${FEED_MEDIA_TYPES[key]}; charset=utf-8`;
  }
  return BY_EXTENSION[path.extname(name).toLowerCase()] ?? "application/octet-stream";
}
