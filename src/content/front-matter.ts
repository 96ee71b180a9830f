import { createHash } from "node:crypto";
import { fromWallTime, toWallTime } from "../dates.ts";
import type { Diagnostic } from "../errors.ts";
import { describeValue } from "../errors.ts";
import {
  EMAIL,
  LANGUAGE_TAG,
  checkMediaType,
  SAFE_SLUG,
  hasXmlInvalid,
  parseAbsoluteUri,
  guessMediaType,
  parseHttpUrl,
  slugify,
  stripXmlInvalid,
} from "../fields.ts";
import type { Article, Author, MediaRef, SourceArticle } from "../model/types.ts";

/** What validation needs from the site config. */
export interface ArticleSettings {
  siteUrl: string;
  timeZone: string;
  idAuthority: string;
  permalink: string;
  author: Author;
}

/**
 * Every front-matter key wirefeed reads. The JSDoc of each is the README's field table.
 */
export const FRONT_MATTER_KEYS = [
  "title",
  "date",
  "updated",
  "expires",
  "id",
  "slug",
  "summary",
  "description",
  "author",
  "authors",
  "tags",
  "categories",
  "section",
  "image",
  "enclosure",
  "draft",
  "lang",
  "canonical",
] as const;

const DATE_EXAMPLE = "a date like 2025-05-03 or 2025-05-03T10:00:00-06:00";
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export interface ValidatedArticle {
  article: Article | undefined;
  diagnostics: Diagnostic[];
}

/** The digest of a validated body: the render cache and the build index key on it. */
export function hashBody(body: string): string {
  return createHash("sha256").update(body).digest("hex");
}

export interface ValidatedBody {
  /** The body with characters that XML forbids removed. */
  body: string;
  bodyHash: string;
  diagnostics: Diagnostic[];
}

/**
 * Check a Markdown body that starts on line `firstLine` of its file: XML-invalid characters are
 * removed with a warning naming the first one's line; an empty body is an error.
 */
export function validateBody(file: string, raw: string, firstLine: number): ValidatedBody {
  const diagnostics: Diagnostic[] = [];
  const body = stripXmlInvalid(raw);
  if (body !== raw) {
    let at = 0;
    while (at < body.length && body[at] === raw[at]) at++;
    const line = firstLine + (raw.slice(0, at).match(/\n/g)?.length ?? 0);
    diagnostics.push({ severity: "warning", code: "invalid-character", file, line, field: "body", message: "removed characters that XML forbids from the body" });
  }
  if (!body.trim()) {
    diagnostics.push({ severity: "error", code: "body-empty", file, field: "body", message: "the article has front matter but no body text" });
  }
  return { body, bodyHash: hashBody(body), diagnostics };
}

/** Check one article's front matter and turn it into an `Article`, collecting every problem. */
export function validateArticle(source: SourceArticle, settings: ArticleSettings): ValidatedArticle {
  const diagnostics: Diagnostic[] = [];
  const { data, file } = source;
  const at = (key: string) => source.keyLines[key] ?? 1;
  const error = (field: string, message: string, key = field.replace(/[[.].*$/, "")) =>
    diagnostics.push({ severity: "error", code: "front-matter-invalid", file, line: at(key), field, message });
  const warn = (code: string, field: string, message: string) =>
    diagnostics.push({ severity: "warning", code, file, line: at(field), field, message });

  for (const key of Object.keys(data)) {
    if (!(FRONT_MATTER_KEYS as readonly string[]).includes(key)) {
      const near = FRONT_MATTER_KEYS.find((known) => editDistance(known, key) <= 2);
      warn("unknown-key", key, `unknown front-matter key${near ? `; did you mean "${near}"?` : ""}`);
    }
  }

  const text = (key: string, value: unknown): string | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" && typeof value !== "number") {
      error(key, `expected text, got ${describeValue(value)}`);
      return undefined;
    }
    const raw = String(value);
    if (hasXmlInvalid(raw)) warn("invalid-character", key, "removed characters that XML forbids (control characters, U+FFFE, U+FFFF)");
    return stripXmlInvalid(raw).trim();
  };

  const title = text("title", data.title);
  if (!title) error("title", `required: expected a headline, got ${describeValue(data.title === undefined ? undefined : data.title)}`);

  const published = readDate("date", data.date, settings.timeZone, error, warn);
  if (data.date === undefined) error("date", `required: expected ${DATE_EXAMPLE}, got nothing`);
  let updated = readDate("updated", data.updated, settings.timeZone, error, warn);
  if (published && updated && updated.getTime() < published.getTime()) {
    error("updated", `expected a date on or after date (${published.toISOString()}), got ${describeValue(data.updated)}`);
    updated = undefined;
  }

  const expires = readDate("expires", data.expires, settings.timeZone, error, warn);
  if (published && expires && expires.getTime() <= published.getTime()) {
    error("expires", `expected an instant after date (${published.toISOString()}), got ${describeValue(data.expires)}`);
  }

  let slug: string | undefined;
  if (data.slug !== undefined) {
    const raw = typeof data.slug === "string" || typeof data.slug === "number" ? String(data.slug) : undefined;
    if (raw === undefined || !SAFE_SLUG.test(raw)) {
      error("slug", `expected letters, digits and - . _ ~ only (one URL segment, no "/", ".." or spaces), got ${describeValue(data.slug)}`);
    } else slug = raw;
  } else {
    slug = slugify(source.stem.replace(/^\d{4}-\d{2}-\d{2}-/, ""));
    if (!slug) error("slug", `the file name gives no usable slug; set slug: in the front matter`);
  }

  let id: string | undefined;
  if (data.id !== undefined) {
    const raw = typeof data.id === "string" ? data.id : undefined;
    const uri = raw === undefined || hasXmlInvalid(raw) ? undefined : parseAbsoluteUri(raw);
    if (!uri) error("id", `expected an absolute URI such as tag:example.com,2025:my-post or urn:uuid:…, got ${describeValue(data.id)}`);
    else id = uri;
  }

  const summary = text("summary", data.summary ?? data.description);
  if (data.summary !== undefined && data.description !== undefined) {
    warn("duplicate-key", "description", "both summary and description are set; using summary");
  }

  const authors = readAuthors(data.authors !== undefined ? "authors" : "author", data.authors ?? data.author, error);
  if (data.author !== undefined && data.authors !== undefined) warn("duplicate-key", "author", "both author and authors are set; using authors");

  const tagsKey = data.tags !== undefined ? "tags" : "categories";
  const rawTags = readList(tagsKey, data.tags ?? data.categories, error);
  if (rawTags.some(hasXmlInvalid)) warn("invalid-character", tagsKey, "removed characters that XML forbids (control characters, U+FFFE, U+FFFF)");
  const tags = rawTags.map((tag) => stripXmlInvalid(tag).trim()).filter(Boolean);
  if (data.tags !== undefined && data.categories !== undefined) warn("duplicate-key", "categories", "both tags and categories are set; using tags");
  for (const tag of tags) {
    if (!slugify(tag)) error(tagsKey, `expected a tag with at least one letter or digit, got ${describeValue(tag)}`);
  }
  const section = text("section", data.section);
  if (section !== undefined && section !== "" && !slugify(section)) {
    error("section", `expected a section name with at least one letter or digit, got ${describeValue(section)}`);
  }

  const canonical = readUrl("canonical", data.canonical, error);
  const image = readMedia("image", data.image, settings.siteUrl, error);
  const enclosure = readMedia("enclosure", data.enclosure, settings.siteUrl, error);

  let draft = false;
  if (data.draft !== undefined) {
    if (typeof data.draft === "boolean") draft = data.draft;
    else error("draft", `expected true or false, got ${describeValue(data.draft)}`);
  }

  let lang: string | undefined;
  if (data.lang !== undefined) {
    if (typeof data.lang === "string" && LANGUAGE_TAG.test(data.lang)) lang = data.lang;
    else error("lang", `expected a language tag like "en" or "es-MX", got ${describeValue(data.lang)}`);
  }

  // A body the loader did not read (only the file's head was needed) is checked when it is read.
  const checked = source.body === undefined ? undefined : validateBody(file, source.body, source.bodyLine);
  if (checked) diagnostics.push(...checked.diagnostics);

  if (diagnostics.some((d) => d.severity === "error") || !title || !published || !slug || !authors) {
    return { article: undefined, diagnostics };
  }
  const wall = toWallTime(published, settings.timeZone);
  const pad = (n: number) => String(n).padStart(2, "0");
  const day = `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
  const permalink = new URL(
    settings.permalink
      .replaceAll(":slug", slug)
      .replaceAll(":year", String(wall.year))
      .replaceAll(":month", pad(wall.month))
      .replaceAll(":day", pad(wall.day)),
    settings.siteUrl,
  ).href;
  return {
    article: {
      file,
      // RFC 4151 tag URI: independent of scheme, host, path and trailing slashes (see ARCHITECTURE.md).
      id: id ?? `tag:${settings.idAuthority}:${day}/${slug}`,
      slug,
      title,
      summary: summary || undefined,
      published,
      updated: updated ?? published,
      expires,
      authors: authors.length > 0 ? authors : [settings.author],
      tags: [...new Set(tags)],
      section: section || undefined,
      image,
      enclosure,
      draft,
      lang,
      canonical,
      permalink,
      body: checked?.body,
      bodyHash: checked?.bodyHash,
    },
    diagnostics,
  };
}

type Report = (field: string, message: string, key?: string) => void;

/** Parse a front-matter date: a day alone is midnight in the site's zone. */
export function parseDate(value: unknown, timeZone: string): { date: Date; floating: boolean } | string {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? `expected ${DATE_EXAMPLE}, got an invalid date` : { date: value, floating: false };
  }
  if (typeof value !== "string") return `expected ${DATE_EXAMPLE}, got ${describeValue(value)}`;
  const trimmed = value.trim();
  const dateOnly = DATE_ONLY.exec(trimmed);
  const dateTime = dateOnly ? undefined : DATE_TIME.exec(trimmed);
  const match = dateOnly ?? dateTime;
  if (!match) return `expected ${DATE_EXAMPLE}, got ${describeValue(value)}`;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((group) => Number(match[group] ?? 0)) as [
    number, number, number, number, number, number,
  ];
  const fraction = dateTime?.[7] ? Number(`0.${dateTime[7]}`) * 1000 : 0;
  const zone = dateTime?.[8];
  const inRange =
    year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) &&
    hour <= 23 && minute <= 59 && second <= 59;
  if (!inRange) return `expected ${DATE_EXAMPLE} with a real calendar date and time, got ${describeValue(value)}`;
  if (zone) {
    const offset = zone.toUpperCase() === "Z" ? 0 : offsetMinutes(zone);
    if (offset === undefined) return `expected an offset between -23:59 and +23:59, got ${describeValue(value)}`;
    const utc = Date.UTC(year, month - 1, day, hour, minute, second) - offset * 60_000 + Math.floor(fraction);
    return { date: new Date(utc), floating: false };
  }
  const wall = { year, month, day, hour, minute, second };
  return { date: fromWallTime(wall, Math.floor(fraction), timeZone), floating: Boolean(dateTime) };
}

function readDate(
  field: string,
  value: unknown,
  timeZone: string,
  error: Report,
  warn: (code: string, field: string, message: string) => void,
): Date | undefined {
  if (value === undefined) return undefined;
  const result = parseDate(value, timeZone);
  if (typeof result === "string") {
    error(field, result);
    return undefined;
  }
  if (result.floating) {
    warn("date-without-offset", field, `time of day without an offset is ambiguous; read in the site's time zone (${timeZone}). Add Z or an offset such as -06:00`);
  }
  return result.date;
}

function offsetMinutes(zone: string): number | undefined {
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!match) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 23 || minutes > 59) return undefined;
  return (match[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function readUrl(field: string, value: unknown, error: Report): string | undefined {
  if (value === undefined) return undefined;
  const url = typeof value === "string" ? parseHttpUrl(value) : undefined;
  if (!url) {
    error(field, `expected an absolute http(s) URL, got ${describeValue(value)}`);
    return undefined;
  }
  return url.href;
}

/** A path inside the project: no `..`, no scheme, no control characters or spaces. */
const LOCAL_PATH = /^\/?[\w-][\w./-]*$/;
const MEDIA_EXAMPLE = "an http(s) URL, or a file in the project such as images/photo.jpg";

/**
 * `image:` or `enclosure:` — a file in the project (read and copied later), an http(s) URL for an
 * image, or `{ url, type, length }` for a remote enclosure (or image), since its bytes cannot be
 * read at build time.
 */
function readMedia(field: string, value: unknown, siteUrl: string, error: Report): MediaRef | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object" && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const url = typeof record.url === "string" ? parseHttpUrl(record.url) : undefined;
    const given = typeof record.type === "string" && /^[a-z]+\/[\w.+-]+$/i.test(record.type) ? record.type.toLowerCase() : undefined;
    // The type as `wirefeed check` will judge it (registered, and fitting the URL's extension),
    // and an image's an image type.
    const problem =
      given === undefined
        ? `expected a MIME type such as audio/mpeg, got ${describeValue(record.type)}`
        : (checkMediaType(given, url?.href) ?? (field === "image" && !given.startsWith("image/") ? `expected an image type such as image/jpeg, got ${describeValue(record.type)}` : undefined));
    const type = problem === undefined ? given : undefined;
    const length = typeof record.length === "number" && Number.isInteger(record.length) && record.length > 0 ? record.length : undefined;
    if (!url) error(`${field}.url`, `expected an absolute http(s) URL, got ${describeValue(record.url)}`, field);
    if (problem) error(`${field}.type`, problem, field);
    if (!length) error(`${field}.length`, `expected the size in bytes (a whole number), got ${describeValue(record.length)}`, field);
    return url && type && length ? { url: url.href, type, length } : undefined;
  }
  const raw = typeof value === "string" ? value.trim() : undefined;
  const absolute = raw === undefined ? undefined : parseHttpUrl(raw);
  if (absolute && field === "enclosure") {
    // RSS and JSON Feed need its type and size, and readers need them to decide on a download.
    error(field, `expected a file in the project, or { url, type, length } for a remote one (its type and size cannot be read at build time), got ${describeValue(value)}`);
    return undefined;
  }
  if (absolute) {
    // An image's type, when its URL names one (`…/photo.webp?w=800`): Atom links it only then.
    const type = guessMediaType(absolute.href);
    return type?.startsWith("image/") ? { url: absolute.href, type } : { url: absolute.href };
  }
  if (raw !== undefined && LOCAL_PATH.test(raw) && !raw.split("/").includes("..")) {
    const localPath = raw.replace(/^\//, "");
    return { url: new URL(localPath, siteUrl).href, localPath };
  }
  error(field, `expected ${MEDIA_EXAMPLE}, got ${describeValue(value)}`);
  return undefined;
}

function readList(field: string, value: unknown, error: Report): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string" || typeof value === "number") return [String(value)];
  if (Array.isArray(value) && value.every((entry) => typeof entry === "string" || typeof entry === "number")) {
    return value.map(String);
  }
  error(field, `expected a list of names, got ${describeValue(value)}`);
  return [];
}

function readAuthors(field: string, value: unknown, error: Report): Author[] | undefined {
  if (value === undefined || value === null) return [];
  const entries = Array.isArray(value) ? value : [value];
  const authors: Author[] = [];
  let ok = true;
  entries.forEach((entry, index) => {
    const path = Array.isArray(value) ? `${field}[${index}]` : field;
    if (typeof entry === "string" && entry.trim()) {
      authors.push({ name: stripXmlInvalid(entry).trim() });
      return;
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      error(path, `expected a name or { name, email, url }, got ${describeValue(entry)}`, field);
      ok = false;
      return;
    }
    const record = entry as Record<string, unknown>;
    const author: Author = { name: "" };
    if (typeof record.name !== "string" || !record.name.trim()) {
      error(`${path}.name`, `required: expected the author's name, got ${describeValue(record.name)}`, field);
      ok = false;
    } else author.name = stripXmlInvalid(record.name).trim();
    if (record.email !== undefined) {
      if (typeof record.email === "string" && EMAIL.test(record.email)) author.email = record.email;
      else {
        error(`${path}.email`, `expected an email address like ana@example.com, got ${describeValue(record.email)}`, field);
        ok = false;
      }
    }
    if (record.url !== undefined) {
      const url = readUrl(`${path}.url`, record.url, (f, m) => error(f, m, field));
      if (url) author.url = url;
      else ok = false;
    }
    for (const key of Object.keys(record)) {
      if (!["name", "email", "url"].includes(key)) {
        error(`${path}.${key}`, "unknown author key; expected name, email or url", field);
        ok = false;
      }
    }
    authors.push(author);
  });
  return ok ? authors : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
