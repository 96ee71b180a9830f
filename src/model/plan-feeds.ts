import { FUTURE_TOLERANCE_MS } from "../dates.ts";
import type { Diagnostic } from "../errors.ts";
import { slugify } from "../fields.ts";
import type { ArchiveLinks, Article, FeedKind, FeedLinks, FormatKey } from "./types.ts";

export interface SiteSettings {
  title: string;
  description: string;
  siteUrl: string;
  language: string;
  idAuthority: string;
  files: Record<FormatKey, string>;
  limit: number;
  feeds: { tags: boolean; sections: boolean; authors: boolean; excludeTags: readonly string[] };
  archive: boolean;
  archivePageSize?: number | undefined;
}

export interface SelectOptions {
  /** The build instant: articles dated after it are "future". */
  now: Date;
  drafts: boolean;
  future: boolean;
}

/** One feed document to write (in every format), before any article is rendered. */
export interface FeedPlan {
  kind: FeedKind;
  /** Display name: site title, tag, section or author. */
  name: string;
  title: string;
  id: string;
  /** Folder inside the output, `""` or `tags/mexico/`. */
  dir: string;
  links: FeedLinks;
  /** Items, newest first, by article id. */
  articleIds: string[];
  complete: boolean;
  archive: ArchiveLinks | undefined;
  /**
   * The latest instant an item left this feed by expiring: the feed's `updated` is at least this,
   * so a removal moves it although no remaining item is newer.
   */
  removedAt: Date | undefined;
}

export interface FeedPlans {
  plans: FeedPlan[];
  diagnostics: Diagnostic[];
}

export interface Selection<T> {
  /** Published and not expired, newest first, ties broken by id. */
  live: T[];
  /** Published once, expired at or before `now`. */
  expired: T[];
}

/**
 * Drafts and future articles out (unless asked for), and articles whose `expires` instant has
 * come. An article is live from `date` (inclusive) until `expires` (exclusive).
 */
export function selectArticles<T extends Article>(articles: readonly T[], options: SelectOptions): Selection<T> {
  const now = options.now.getTime();
  const published = articles
    .filter((article) => options.drafts || !article.draft)
    .filter((article) => options.future || article.published.getTime() <= now)
    .sort(compareNewestFirst);
  const isExpired = (article: T) => article.expires !== undefined && article.expires.getTime() <= now;
  return { live: published.filter((article) => !isExpired(article)), expired: published.filter(isExpired) };
}

/**
 * A warning for each article a feed shows whose `updated` is in the future, past the clock skew
 * `wirefeed check` allows (FUTURE_TOLERANCE_MS): its feeds then carry a date that readers hide or
 * misplace, and that check reports (so that `check --strict`, as the publish workflow runs it,
 * fails until then). The message holds no instant of the build: a rebuild with nothing changed
 * gives the last build's warnings back (the build stamp), at another instant.
 */
export function warnFutureUpdates(articles: readonly Article[], shown: ReadonlySet<string>, now: Date): Diagnostic[] {
  return articles
    .filter((article) => shown.has(article.id) && article.updated.getTime() > now.getTime() + FUTURE_TOLERANCE_MS)
    .map((article) => ({
      severity: "warning" as const,
      code: "updated-future",
      file: article.file,
      field: "updated",
      message: `${article.updated.toISOString()} is in the future: readers hide or misplace an item updated after they read it, and wirefeed check reports it until 10 minutes before then`,
    }));
}

export function compareNewestFirst(a: { published: Date; id: string }, b: { published: Date; id: string }): number {
  return b.published.getTime() - a.published.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Decide every feed document from the selected articles (newest first): the main feed, one
 * per tag, section and author, and RFC 5005 archive pages. Pure; renders nothing, so that only
 * articles some feed shows get rendered.
 */
export function planFeeds(selected: readonly Article[], site: SiteSettings, expired: readonly Article[] = []): FeedPlans {
  const diagnostics: Diagnostic[] = [];
  const linksIn = (dir: string): FeedLinks => ({
    rss: new URL(dir + site.files.rss, site.siteUrl).href,
    atom: new URL(dir + site.files.atom, site.siteUrl).href,
    json: new URL(dir + site.files.json, site.siteUrl).href,
  });
  const mainLinks = linksIn("");
  const mainId = `tag:${site.idAuthority}:feed`;
  const ids = (articles: readonly Article[]) => articles.slice(0, site.limit).map((article) => article.id);
  const latestExpiry = (articles: readonly Article[]) => {
    // A loop, not Math.max(...list): a spread of 100,000 arguments overflows the stack.
    let latest = 0;
    for (const article of articles) latest = Math.max(latest, article.expires?.getTime() ?? 0);
    return latest > 0 ? new Date(latest) : undefined;
  };
  const plans: FeedPlan[] = [];

  // RFC 5005 §4: archive pages hold the oldest items in fixed chunks, so a full page never
  // changes when newer articles arrive. Page size ≤ limit keeps every item in some document.
  const pageSize = site.archivePageSize ?? site.limit;
  const fullPages = site.archive && selected.length > site.limit ? Math.floor(selected.length / pageSize) : 0;
  const pageLinks = (page: number) => linksIn(`archive/${page}/`);
  plans.push({
    kind: "main",
    name: site.title,
    title: site.title,
    id: mainId,
    dir: "",
    links: mainLinks,
    articleIds: ids(selected),
    complete: selected.length <= site.limit,
    archive: fullPages > 0 ? { isArchive: false, prevArchive: pageLinks(fullPages) } : undefined,
    removedAt: latestExpiry(expired),
  });
  const chronological = [...selected].reverse();
  for (let page = 1; page <= fullPages; page++) {
    plans.push({
      kind: "archive",
      name: site.title,
      title: `${site.title} (archive ${page})`,
      // One logical feed: archive documents share the subscription feed's id.
      id: mainId,
      dir: `archive/${page}/`,
      links: pageLinks(page),
      articleIds: chronological.slice((page - 1) * pageSize, page * pageSize).reverse().map((article) => article.id),
      complete: false,
      // next-archive always names page + 1, even before it exists, so that a full page's bytes
      // never change (the immutability rule); readers walk backwards via prev-archive.
      archive: {
        isArchive: true,
        current: mainLinks,
        ...(page > 1 ? { prevArchive: pageLinks(page - 1) } : {}),
        nextArchive: pageLinks(page + 1),
      },
      removedAt: undefined,
    });
  }

  const groups: { kind: "tag" | "section" | "author"; folder: string; enabled: boolean; namesOf: (a: Article) => string[] }[] = [
    { kind: "section", folder: "sections", enabled: site.feeds.sections, namesOf: (a) => (a.section ? [a.section] : []) },
    { kind: "tag", folder: "tags", enabled: site.feeds.tags, namesOf: (a) => a.tags },
    { kind: "author", folder: "authors", enabled: site.feeds.authors, namesOf: (a) => a.authors.map((author) => author.name) },
  ];
  const excluded = new Set(site.feeds.excludeTags.map(slugify));
  for (const group of groups) {
    if (!group.enabled) continue;
    const bySlug = new Map<string, { name: string; file: string; articles: Article[] }>();
    const expiredBySlug = new Map<string, Article[]>();
    for (const article of expired) {
      for (const name of new Set(group.namesOf(article))) {
        const slug = slugify(name);
        expiredBySlug.set(slug, [...(expiredBySlug.get(slug) ?? []), article]);
      }
    }
    for (const article of selected) {
      for (const name of new Set(group.namesOf(article))) {
        const slug = slugify(name);
        if (!slug || (group.kind === "tag" && excluded.has(slug))) continue;
        const entry = bySlug.get(slug);
        if (!entry) bySlug.set(slug, { name, file: article.file, articles: [article] });
        else if (entry.name !== name) {
          diagnostics.push({
            severity: "error",
            code: `${group.kind}-slug-collision`,
            file: article.file,
            field: group.kind === "tag" ? "tags" : group.kind,
            message: `${group.kind} "${name}" and ${group.kind} "${entry.name}" (${entry.file}) both have the feed slug "${slug}"; use one spelling`,
          });
        } else if (!entry.articles.includes(article)) entry.articles.push(article);
      }
    }
    for (const [slug, entry] of [...bySlug].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const dir = `${group.folder}/${slug}/`;
      plans.push({
        kind: group.kind,
        name: entry.name,
        title: `${site.title}: ${entry.name}`,
        id: `${mainId}/${group.folder}/${slug}`,
        dir,
        links: linksIn(dir),
        articleIds: ids(entry.articles),
        complete: entry.articles.length <= site.limit,
        archive: undefined,
        removedAt: latestExpiry(expiredBySlug.get(slug) ?? []),
      });
    }
  }
  return { plans, diagnostics };
}
