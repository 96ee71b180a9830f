import type { FeedItem, Term } from "../model/types.ts";

/** The item's section, then its tags: the categories of every format, in one order. */
export function categoriesOf(item: FeedItem): Term[] {
  return item.section ? [item.section, ...item.tags] : item.tags;
}
