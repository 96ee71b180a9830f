import type { Article } from "../model/types.ts";

export interface ScheduleEntry {
  action: "publish" | "expire";
  at: Date;
  id: string;
  title: string;
  file: string;
}

/**
 * What will change the output after `now`: each scheduled article's publish instant and each
 * expiry still to come, soonest first. Drafts never publish, so they are not listed.
 */
export function listSchedule(articles: readonly Article[], now: Date): ScheduleEntry[] {
  const entries: ScheduleEntry[] = [];
  for (const article of articles) {
    if (article.draft) continue;
    const { id, title, file } = article;
    if (article.published > now) entries.push({ action: "publish", at: article.published, id, title, file });
    if (article.expires && article.expires > now) entries.push({ action: "expire", at: article.expires, id, title, file });
  }
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The next instant at which a build would give different feeds, or undefined. */
export function findNextChange(entries: readonly ScheduleEntry[]): Date | undefined {
  return entries[0]?.at;
}
