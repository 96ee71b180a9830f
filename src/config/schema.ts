import { z } from "zod";
import { isTimeZone } from "../dates.ts";
import { EMAIL, LANGUAGE_TAG, TAGGING_ENTITY, hasXmlInvalid, parseHttpUrl } from "../fields.ts";

const got = (input: unknown) => (input === undefined ? "nothing" : JSON.stringify(input));

const httpUrl = (what: string) =>
  z.string({ error: (iss) => `expected ${what}, got ${got(iss.input)}` }).refine(
    (value) => parseHttpUrl(value) !== undefined,
    { error: (iss) => `expected ${what}, got ${got(iss.input)}` },
  );

/**
 * Text that goes into the feeds as it is: none of the characters XML forbids, nor the
 * noncharacters wirefeed marks places in a document with (front matter has them removed, with a
 * warning; the few settings are simply refused).
 */
const text = (expected: string) =>
  z
    .string({ error: (iss) => `expected ${expected}, got ${got(iss.input)}` })
    .trim()
    .min(1, { error: (iss) => `expected ${expected}, got ${got(iss.input)}` })
    .refine((value) => !hasXmlInvalid(value), {
      error: (iss) => `expected text without characters XML forbids (control characters, U+FDD0 to U+FDEF, U+FFFE, U+FFFF), got ${got(iss.input)}`,
    });

const author = z.union(
  [
    text("a name"),
    z.strictObject({
      name: text("a name"),
      email: z
        .string()
        .regex(EMAIL, { error: (iss) => `expected an email address, got ${got(iss.input)}` })
        .optional(),
      url: httpUrl("an http(s) URL").optional(),
    }),
  ],
  { error: (iss) => `expected a name or { name, email, url }, got ${got(iss.input)}` },
);

/**
 * The site settings, in `wirefeed.config.ts`:
 * ```ts
 * import { defineConfig } from "./src/index.ts";
 * export default defineConfig({ title: "…", description: "…", siteUrl: "https://example.com/", … });
 * ```
 */
export const configSchema = z.strictObject({
  /** Site title, the channel/feed title. Required. */
  title: text("the site title"),
  /** One-line description of the site. Required (RSS requires a channel description). */
  description: text("a one-line description"),
  /** Absolute http(s) URL of the site, path allowed: `https://example.com/blog/`. Required. */
  siteUrl: httpUrl("an absolute http(s) URL such as https://example.com/").transform((value) => {
    const url = parseHttpUrl(value) as URL;
    url.search = "";
    url.hash = "";
    if (!url.pathname.endsWith("/")) url.pathname += "/";
    return url.href;
  }),
  /** RFC 4151 tagging entity for derived ids: a domain you own and a year, `"example.com,2025"`. Required. */
  idAuthority: z
    .string({ error: (iss) => `expected a domain you control and a year, like "example.com,2025", got ${got(iss.input)}` })
    .regex(TAGGING_ENTITY, {
      error: (iss) => `expected a domain you control and a year, like "example.com,2025", got ${got(iss.input)}`,
    }),
  /** Site language (RFC 5646). Default `"en"`. */
  language: z
    .string()
    .regex(LANGUAGE_TAG, { error: (iss) => `expected a language tag like "en" or "es-MX", got ${got(iss.input)}` })
    .default("en"),
  /** IANA time zone in which a date without a time is read. Default `"UTC"`. */
  timeZone: z
    .string()
    .refine(isTimeZone, { error: (iss) => `expected an IANA time zone like "America/Mexico_City", got ${got(iss.input)}` })
    .default("UTC"),
  /** Default author of every article: a name or `{ name, email, url }`. Required (Atom needs an author). */
  author,
  /** Folder of Markdown articles, relative to the project. Default `"articles"`. */
  articlesDir: z.string().min(1).default("articles"),
  /** Output folder, relative to the project. Default `"dist"`. */
  outDir: z.string().min(1).default("dist"),
  /** Permalink of an article relative to `siteUrl`; `:slug`, `:year`, `:month`, `:day`. Default `"posts/:slug/"`. */
  permalink: z
    .string()
    .refine((value) => value.includes(":slug") && !value.startsWith("/") && !/^[a-z]+:/i.test(value), {
      error: (iss) => `expected a relative path containing :slug, like "posts/:slug/", got ${got(iss.input)}`,
    })
    .default("posts/:slug/"),
  /** Output file names of the main feeds. */
  files: z
    .strictObject({
      rss: z.string().regex(/^[\w.-]+$/).default("rss.xml"),
      atom: z.string().regex(/^[\w.-]+$/).default("atom.xml"),
      json: z.string().regex(/^[\w.-]+$/).default("feed.json"),
    })
    .prefault({}),
  /**
   * Sanitize raw HTML in articles (scripts, styles, iframes, event handlers and javascript:/data:
   * URLs removed). Turn off only for a site whose every author is trusted. Default true.
   */
  sanitize: z.boolean().default(true),
  /** Hosts whose `<iframe>` embeds survive sanitizing, such as "www.youtube-nocookie.com". Default none. */
  iframeHosts: z.array(z.string().regex(/^[a-z0-9.-]+$/i)).default([]),
  /** Number of newest items in the main feed (and in each tag, section and author feed). Default 20. */
  limit: z.number().int().positive().default(20),
  /** Which extra feeds to write, each in all three formats. */
  feeds: z
    .strictObject({
      /** A feed per tag, under `tags/<slug>/`. Default true. */
      tags: z.boolean().default(true),
      /** A feed per section, under `sections/<slug>/`. Default true. */
      sections: z.boolean().default(true),
      /** A feed per author, under `authors/<slug>/`. Default false. */
      authors: z.boolean().default(false),
      /** Tags that get no feed of their own (names, matched by slug). Default none. */
      excludeTags: z.array(z.string()).default([]),
    })
    .prefault({}),
  /**
   * RFC 5005 archives: items older than the main feed's go into immutable pages of
   * `archivePageSize` items under `archive/<n>/`. Default false.
   */
  archive: z.boolean().default(false),
  /** Items per archive page; at most `limit`. Default: `limit`. */
  archivePageSize: z.number().int().positive().optional(),
  /** WebSub hubs every feed advertises and `wirefeed ping` notifies. Default none. */
  hubs: z.array(httpUrl("an http(s) hub URL")).default([]),
  /**
   * Where the build records each feed's items and `updated`, so that removing or editing an item
   * moves `updated` once and later builds repeat it. Commit it, or keep it in a CI cache.
   * Default `".wirefeed/state.json"`; `false` turns it off.
   */
  stateFile: z
    .union([
      z.literal(false),
      z.string().refine((value) => /^[\w.-]+(?:\/[\w.-]+)*$/.test(value) && !value.split("/").includes(".."), {
        error: (iss) => `expected a path inside the project such as ".wirefeed/state.json", or false, got ${got(iss.input)}`,
      }),
    ])
    .default(".wirefeed/state.json"),
  /** With `build --previous`: the largest share of published items one build may drop (0–1). Default 0.5. */
  maxDropShare: z.number().min(0).max(1).default(0.5),
  /** Folder of the rendered-HTML cache, relative to the project; always safe to delete. Default `".wirefeed-cache"`. */
  cacheDir: z.string().min(1).default(".wirefeed-cache"),
  /** A feed larger than this many bytes draws a warning. Default 524288 (512 KB). */
  sizeBudget: z.number().int().positive().default(512 * 1024),
  /** Only the newest this many items of a feed carry full content; older ones carry their summary. Default: all. */
  fullContentItems: z.number().int().nonnegative().optional(),
})
  .refine((config) => config.archivePageSize === undefined || config.archivePageSize <= config.limit, {
    path: ["archivePageSize"],
    error: "expected at most limit items per archive page, so that no item falls between the main feed and the archives",
  });

/** What a config file may contain (defaults not yet applied). */
export type ConfigInput = z.input<typeof configSchema>;
/** A validated config with every default filled in. */
export type Config = z.output<typeof configSchema>;

/** Identity helper that gives a config file type checking and editor completion. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
