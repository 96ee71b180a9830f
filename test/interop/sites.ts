/**
 * The sites the interoperability tests build, with what every reader must find in them.
 *
 * SAMPLE: a small newsroom site.
 * The expectations are written out by hand (ids, links, instants, names, text), not computed by
 * wirefeed, so a change in any of them fails the tests. Site settings: test/helpers.ts BASE_CONFIG
 * (https://example.com/blog/, time zone America/Mexico_City, default author Ana Pérez with email).
 */
import { article } from "../helpers.ts";

export interface ExpectedItem {
  id: string;
  title: string;
  link: string;
  /** ISO instant of the publish date. */
  published: string;
  authors: string[];
  /** The text of each paragraph, as a reader shows it. */
  paragraphs: string[];
}

interface SampleArticle {
  file: string;
  frontMatter: Record<string, unknown>;
  /** Markdown of each paragraph and the text it shows. */
  body: [markdown: string, text: string][];
  expected: Omit<ExpectedItem, "paragraphs" | "title">;
}

const ARTICLES: SampleArticle[] = [
  {
    // One author with an email, tags and a section; time of day with an offset; updated later.
    file: "articles/2025-03-01-border-talks.md",
    frontMatter: {
      title: "Border talks resume in Monterrey",
      date: "2025-03-01T09:30:00-06:00",
      updated: "2025-03-04T10:00:00Z",
      author: { name: "Bob Stone", email: "bob@example.com" },
      tags: ["Mexico", "United States"],
      section: "Politics",
      summary: "Negotiators met for the first time since January.",
    },
    body: [
      [
        "Negotiators from **both countries** met on Saturday in Monterrey, the first round since January.",
        "Negotiators from both countries met on Saturday in Monterrey, the first round since January.",
      ],
      [
        "The talks covered [trade](https://example.org/trade) and security — and _little else_, officials said.",
        "The talks covered trade and security — and little else, officials said.",
      ],
    ],
    expected: {
      id: "tag:example.com,2025:2025-03-01/border-talks",
      link: "https://example.com/blog/posts/border-talks/",
      published: "2025-03-01T15:30:00.000Z",
      authors: ["Bob Stone"],
    },
  },
  {
    // One author without email, an explicit id and a canonical URL elsewhere; a date alone.
    file: "articles/2025-03-05-harvest.md",
    frontMatter: {
      title: "A record harvest in Sinaloa",
      date: "2025-03-05",
      author: "Carla Ruiz",
      id: "tag:example.com,2024:harvest",
      canonical: "https://partner.example.org/news/harvest-2025",
      tags: ["Agriculture"],
    },
    body: [
      ["Farmers in Sinaloa brought in the largest maize crop on record.", "Farmers in Sinaloa brought in the largest maize crop on record."],
      ["Prices at the Culiacán market fell by a tenth in a week.", "Prices at the Culiacán market fell by a tenth in a week."],
    ],
    expected: {
      id: "tag:example.com,2024:harvest",
      link: "https://partner.example.org/news/harvest-2025",
      // Midnight in America/Mexico_City (UTC−6).
      published: "2025-03-05T06:00:00.000Z",
      authors: ["Carla Ruiz"],
    },
  },
  {
    // Two authors (one with email, one with a URL), tags and a section.
    file: "articles/2025-03-10-metro-line.md",
    frontMatter: {
      title: "Metro Line 12 reopens",
      date: "2025-03-10T18:00:00Z",
      authors: [{ name: "Dan Li", email: "dan@example.com" }, { name: "Eve Moss", url: "https://eve.example.net/" }],
      tags: ["Transport", "Mexico City"],
      section: "City",
    },
    body: [
      ["The elevated stretch of Line 12 carried passengers again on Monday.", "The elevated stretch of Line 12 carried passengers again on Monday."],
      ["- Trains run every *four* minutes.\n- Fares are unchanged.", "Trains run every four minutes. Fares are unchanged."],
    ],
    expected: {
      id: "tag:example.com,2025:2025-03-10/metro-line",
      link: "https://example.com/blog/posts/metro-line/",
      published: "2025-03-10T18:00:00.000Z",
      authors: ["Dan Li", "Eve Moss"],
    },
  },
  {
    // No author: the site's default author (with email) is used.
    file: "articles/2025-03-12-why-feeds.md",
    frontMatter: { title: "Why we publish feeds", date: "2025-03-12T12:00:00Z" },
    body: [["Readers choose what they follow, and when.", "Readers choose what they follow, and when."]],
    expected: {
      id: "tag:example.com,2025:2025-03-12/why-feeds",
      link: "https://example.com/blog/posts/why-feeds/",
      published: "2025-03-12T12:00:00.000Z",
      authors: ["Ana Pérez"],
    },
  },
];

/** The site's files, for `makeTempSite`. */
export const SAMPLE_FILES: Record<string, string> = Object.fromEntries(
  ARTICLES.map((a) => [a.file, article(a.frontMatter, `${a.body.map(([markdown]) => markdown).join("\n\n")}\n`)]),
);

/** What every reader must find, newest first. */
export const SAMPLE_EXPECTED: ExpectedItem[] = ARTICLES.map((a) => ({
  ...a.expected,
  title: a.frontMatter.title as string,
  paragraphs: a.body.map(([, text]) => text),
})).sort((a, b) => Date.parse(b.published) - Date.parse(a.published));

/**
 * HOSTILE: markup characters, ]]>, U+0001 and U+FFFE in titles and bodies. Newest first, the
 * titles readers must show are HOSTILE_TITLES.
 */
export const HOSTILE_TITLE = 'A & B < C > D "E" &amp; F';
/** ]]> twice in a plain-text title: RSS carries titles in CDATA. */
export const CDATA_TITLE = "x ]]> y ]]> z";
/** Markup characters, but nothing that looks like a character reference. */
export const MARKUP_TITLE = `Q&A: 1 < 2 > 0 "quoted" 'single'`;
export const HOSTILE_TITLES = [MARKUP_TITLE, CDATA_TITLE, HOSTILE_TITLE];

export const HOSTILE_FILES: Record<string, string> = {
  // HOSTILE_TITLE with U+FFFE and U+0001 in it; a body with ]]> twice and both characters.
  "articles/2025-04-01-hostile.md": article(
    { title: 'A & B\uFFFE < C\u0001 > D "E" &amp; F', date: "2025-04-01T12:00:00Z" },
    "Before ]]> middle ]]> after.\n\nControl\u0001 character and non\uFFFEcharacter.\n",
  ),
  "articles/2025-04-02-cdata-title.md": article({ title: CDATA_TITLE, date: "2025-04-02T12:00:00Z", summary: "s ]]> t ]]> u" }),
  "articles/2025-04-03-markup-title.md": article({ title: MARKUP_TITLE, date: "2025-04-03T12:00:00Z" }),
};
