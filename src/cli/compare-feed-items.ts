/** One article in a build summary. */
export interface ItemChange {
  id: string;
  title: string;
  /** For a changed item: what differs (title, date_modified, content). */
  reasons?: string[];
}

export interface ItemChanges {
  /** False when there was no previous feed.json to compare with (first build). */
  hadPrevious: boolean;
  added: ItemChange[];
  changed: ItemChange[];
  removed: ItemChange[];
}

interface JsonItem {
  id?: unknown;
  title?: unknown;
  date_modified?: unknown;
  content_html?: unknown;
  content_text?: unknown;
}

function itemsOf(text: string | undefined): Map<string, JsonItem> | undefined {
  if (text === undefined) return undefined;
  try {
    const document = JSON.parse(text) as { items?: unknown };
    if (!Array.isArray(document.items)) return undefined;
    const items = new Map<string, JsonItem>();
    for (const item of document.items as JsonItem[]) {
      if (typeof item?.id === "string") items.set(item.id, item);
    }
    return items;
  } catch {
    return undefined;
  }
}

const titleOf = (item: JsonItem) => (typeof item.title === "string" ? item.title : "(untitled)");

/**
 * Articles added, removed or changed between two JSON Feeds, by item id; "changed" means a
 * different title, date_modified or content. An unreadable previous feed counts as none.
 */
export function compareFeedItems(previousText: string | undefined, nextText: string): ItemChanges {
  const previous = itemsOf(previousText);
  const next = itemsOf(nextText) ?? new Map<string, JsonItem>();
  const changes: ItemChanges = { hadPrevious: previous !== undefined, added: [], changed: [], removed: [] };
  for (const [id, item] of next) {
    const before = previous?.get(id);
    if (!before) {
      changes.added.push({ id, title: titleOf(item) });
      continue;
    }
    const reasons: string[] = [];
    if (before.title !== item.title) reasons.push("title");
    if (before.date_modified !== item.date_modified) reasons.push("date_modified");
    if (before.content_html !== item.content_html || before.content_text !== item.content_text) reasons.push("content");
    if (reasons.length > 0) changes.changed.push({ id, title: titleOf(item), reasons });
  }
  for (const [id, item] of previous ?? []) {
    if (!next.has(id)) changes.removed.push({ id, title: titleOf(item) });
  }
  return changes;
}

/**
 * The changes of a first build (no previous feed.json): every item added, read from the main
 * feed's items rather than by parsing the feed.json just written (90 MB for a feed of 10,000 full
 * items, issue 7). The same as `compareFeedItems(undefined, text)` of that file.
 */
export function listFirstBuild(items: readonly { id: string; title: string }[]): ItemChanges {
  return { hadPrevious: false, added: items.map(({ id, title }) => ({ id, title })), changed: [], removed: [] };
}
