import type { Diagnostic } from "../errors.ts";
import type { FeedItem } from "../model/types.ts";

/** An item of the feed that is live now, as its JSON Feed gives it. */
export interface PublishedItem {
  id: string;
  url?: string;
  title?: string;
  date_published?: string;
}

export interface CompareOptions {
  /** Largest share of published items a build may drop, 0–1. */
  maxDropShare: number;
  /** Ids that left on purpose this run (expired). */
  expiredIds: ReadonlySet<string>;
  /** Whether the new main feed is full (as many items as its limit): older items roll off it. */
  full: boolean;
  allowIdChange: boolean;
}

/**
 * Guard rails against the feeds currently published: an item that would come back under a new
 * id (every reader shows it again as new), and a build that would drop too many items at once.
 */
export function comparePrevious(published: readonly PublishedItem[], current: readonly FeedItem[], options: CompareOptions): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const currentIds = new Set(current.map((item) => item.id));
  const publishedIds = new Set(published.map((item) => item.id));
  // An item that is still there under another id: same link, or same title and publish date.
  const renamedFrom = new Set<string>();
  for (const item of current) {
    if (publishedIds.has(item.id)) continue;
    const before = published.find(
      (old) => !currentIds.has(old.id) && (old.url === item.url || (old.title === item.title && old.date_published === item.published.toISOString())),
    );
    if (!before) continue;
    renamedFrom.add(before.id);
    if (options.allowIdChange) continue;
    diagnostics.push({
      severity: "error",
      code: "id-changed",
      file: item.file,
      field: "id",
      message: `published item "${item.title}" would change its id from ${JSON.stringify(before.id)} to ${JSON.stringify(item.id)}; every reader would show it again as new. Set id: ${before.id} to keep it, or pass --allow-id-change`,
    });
  }
  const oldest = current.reduce((min, item) => Math.min(min, item.published.getTime()), Number.POSITIVE_INFINITY);
  const dropped = published.filter((old) => {
    if (currentIds.has(old.id) || renamedFrom.has(old.id) || options.expiredIds.has(old.id)) return false;
    // In a full feed, items older than its oldest simply rolled off the end.
    const date = old.date_published ? Date.parse(old.date_published) : Number.NaN;
    return !(options.full && date < oldest);
  });
  if (published.length > 0 && dropped.length / published.length > options.maxDropShare) {
    diagnostics.push({
      severity: "error",
      code: "too-many-dropped",
      field: "maxDropShare",
      message: `this build would drop ${dropped.length} of the ${published.length} published items (${Math.round((dropped.length / published.length) * 100)}%), more than maxDropShare (${Math.round(options.maxDropShare * 100)}%): ${dropped
        .slice(0, 5)
        .map((item) => JSON.stringify(item.title ?? item.id))
        .join(", ")}${dropped.length > 5 ? ", …" : ""}`,
    });
  }
  return diagnostics;
}
