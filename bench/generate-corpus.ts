/**
 * Writes a seeded corpus of realistic news articles for the benchmark:
 *
 *   tsx bench/generate-corpus.ts --count 1000 --out /tmp/corpus [--seed 20250503]
 *
 * Articles are 2–12 KB (≈8 KB on average) of Markdown with YAML front matter, plus a
 * `wirefeed.config.ts`. Article i depends only on (seed, i), so the same seed gives the same bytes
 * and a corpus of 1,000 is the first 1,000 articles of a corpus of 10,000.
 */
import { mkdir, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  AUTHORS,
  CLAUSES,
  DETAILS,
  HEADLINE_ACTORS,
  HEADLINE_OBJECTS,
  HEADLINE_VERBS,
  OBJECTS,
  OFFICIALS,
  OUTLETS,
  OUTLET_HOSTS,
  PLACES,
  QUOTES,
  SECTIONS,
  SUBJECTS,
  TAGS,
  VERBS,
} from "./corpus-vocabulary.ts";

export const DEFAULT_SEED = 20250503;

/** Every article is dated before this instant, so a build at it publishes all of them. */
export const CORPUS_NOW = "2026-01-01T00:00:00Z";

/** The site settings the corpus is written with; the bench derives its variant configs from them. */
export const BASE_CONFIG = {
  title: "Bench Daily",
  description: "A generated newsroom for the wirefeed benchmark.",
  siteUrl: "https://bench.example.com/news/",
  idAuthority: "bench.example.com,2025",
  language: "en",
  timeZone: "UTC",
  author: { name: "Bench Daily Newsroom", email: "newsroom@bench.example.com" },
} as const;

const FIRST_DAY = Date.UTC(2016, 0, 1);
const LAST_DAY = Date.UTC(2025, 11, 31, 12);
/** Offsets a newsroom in several bureaus writes; minutes east of UTC. */
const OFFSETS = [-360, -360, -300, -300, -240, 0, 0, 60, 120, 330, 540];
const KB = 1024;

export interface GeneratedArticle {
  /** Path relative to the corpus folder. */
  file: string;
  bytes: number;
  /** Publication instant in ms since 1970. */
  published: number;
}

export interface GeneratedCorpus {
  dir: string;
  articlesDir: string;
  articles: GeneratedArticle[];
  totalBytes: number;
}

/** mulberry32: tiny, fast and good enough for test data; floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A per-article seed: neighbouring indexes must not give correlated streams. */
function articleSeed(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

class Picker {
  readonly random: () => number;
  constructor(random: () => number) {
    this.random = random;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)] as T;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
}

/** Zipf-like weights, so a handful of tags hold many articles and most hold few, as on a real site. */
const TAG_WEIGHTS = TAGS.map((_, i) => 1 / (i + 1));
const TAG_TOTAL = TAG_WEIGHTS.reduce((a, b) => a + b, 0);

function pickTag(p: Picker): string {
  let target = p.random() * TAG_TOTAL;
  for (let i = 0; i < TAGS.length; i++) {
    target -= TAG_WEIGHTS[i] as number;
    if (target <= 0) return TAGS[i] as string;
  }
  return TAGS[TAGS.length - 1] as string;
}

function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `2019-03-04T08:15:00-05:00`: the wall time in the given offset, written with that offset. */
function formatWithOffset(utc: number, offsetMinutes: number): string {
  const wall = new Date(utc + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const offset = offsetMinutes === 0 ? "Z" : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return (
    `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` +
    `T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}${offset}`
  );
}

function sentence(p: Picker, place: string): string {
  switch (p.int(0, 5)) {
    case 0:
      return `${p.pick(SUBJECTS)} in ${place} ${p.pick(VERBS)} ${p.pick(OBJECTS)} ${p.pick(CLAUSES)}.`;
    case 1:
      return `${p.pick(SUBJECTS)} ${p.pick(VERBS)} ${p.pick(OBJECTS)}, ${p.pick(OFFICIALS)} said ${p.pick(CLAUSES)}.`;
    case 2:
      return p.pick(DETAILS);
    case 3:
      return `\u201c${p.pick(QUOTES).replace(/\.$/, ",")}\u201d ${p.pick(OFFICIALS)} told ${p.pick(OUTLETS)}.`;
    case 4:
      return `According to ${p.pick(OUTLETS)}, ${p.pick(OFFICIALS)} ${p.pick(VERBS)} ${p.pick(OBJECTS)} *${p.pick(CLAUSES)}*.`;
    default:
      return `The decision on ${p.pick(OBJECTS)} is **${p.pick(["expected", "unlikely", "due", "set"])}** to be ${p.pick(VERBS)} ${p.pick(CLAUSES)}.`;
  }
}

/** A paragraph, sometimes with a relative or absolute link in it. */
function paragraph(p: Picker, place: string, related: () => string): string {
  const sentences = Array.from({ length: p.int(3, 6) }, () => sentence(p, place));
  if (p.chance(0.35)) {
    const at = p.int(0, sentences.length - 1);
    const link = p.chance(0.5)
      ? `[earlier coverage](${related()})`
      : `[the full report](https://${p.pick(OUTLET_HOSTS)}/${p.int(2016, 2025)}/${pad(p.int(1, 12))}/story-${p.int(1000, 99999)}.html?ref=wire&utm_source=bench)`;
    sentences[at] = `${sentences[at]} See ${link}.`;
  }
  return sentences.join(" ");
}

/** One block of body text: mostly paragraphs, with the occasional heading, list, quote or photo. */
function block(p: Picker, place: string, related: () => string, index: number): string {
  const roll = p.random();
  if (roll < 0.06) return `## ${p.pick(HEADLINE_OBJECTS)} ${p.pick(["in Focus", "Explained", "and the Markets", "by the Numbers"])}`;
  if (roll < 0.1) {
    const items = Array.from({ length: p.int(3, 6) }, () => `- ${p.pick(DETAILS)}`);
    return items.join("\n");
  }
  if (roll < 0.14) return `> ${p.pick(QUOTES)} ${p.pick(QUOTES)}\n>\n> \u2014 ${p.pick(OFFICIALS)}`;
  if (roll < 0.17) {
    const src = p.chance(0.5) ? `../../images/${index}-${p.int(1, 9)}.jpg` : `https://images.bench.example.com/${index}/${p.int(1, 9)}.jpg`;
    return `![${p.pick(SUBJECTS)} in ${place}, ${p.pick(CLAUSES)}](${src} "Photo: ${p.pick(AUTHORS)}")`;
  }
  return paragraph(p, place, related);
}

/** The text of article `index`: front matter and body, 2–12 KB. */
export function generateArticle(seed: number, index: number): { name: string; text: string; published: number } {
  const p = new Picker(mulberry32(articleSeed(seed, index)));
  const published = FIRST_DAY + Math.floor(p.random() * (LAST_DAY - FIRST_DAY));
  const offset = p.pick(OFFSETS);
  const place = p.pick(PLACES);
  const title = `${place} ${p.pick(HEADLINE_ACTORS)} ${p.pick(HEADLINE_VERBS)} ${p.pick(HEADLINE_OBJECTS)}`;
  // The index keeps slugs (and so ids and permalinks) unique whatever the headline.
  const slug = `${slugify(title)}-${index.toString(36)}`;
  const tags = new Set<string>([place]);
  const tagCount = p.int(1, 4);
  while (tags.size < tagCount) tags.add(pickTag(p));
  const dayOnly = p.chance(0.05);
  const date = dayOnly ? formatWithOffset(published, 0).slice(0, 10) : formatWithOffset(published, offset);

  const data: [string, unknown][] = [
    ["title", title],
    ["date", date],
    ...(p.chance(0.1) ? [["updated", formatWithOffset(published + p.int(1, 72) * 3_600_000, offset)] as [string, unknown]] : []),
    ["summary", `${sentence(p, place).replace(/[*]/g, "")} ${p.pick(DETAILS)}`],
    ["author", p.pick(AUTHORS)],
    ["section", p.pick(SECTIONS)],
    ["tags", [...tags]],
    ...(p.chance(0.2) ? [["image", `https://images.bench.example.com/${index}/lead.jpg`] as [string, unknown]] : []),
  ];
  // JSON strings and arrays are valid YAML flow scalars, and never need YAML's own quoting rules.
  const frontMatter = data.map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join("\n");

  // Skewed towards the top of the range: 2 + 10·u^(2/3) KB has a mean of 8 KB.
  const target = Math.round((2 + 10 * p.random() ** (2 / 3)) * KB);
  const related = () => (p.chance(0.5) ? `../${slugify(p.pick(HEADLINE_OBJECTS))}-${p.int(0, 9999).toString(36)}/` : `/news/tags/${slugify(pickTag(p))}/`);
  const head = `---\n${frontMatter}\n---\n\n`;
  const blocks: string[] = [`**${place.toUpperCase()}** \u2014 ${paragraph(p, place, related)}`];
  let size = Buffer.byteLength(head) + Buffer.byteLength(blocks[0] as string);
  while (size < target) {
    const next = block(p, place, related, index);
    // Stop rather than overshoot the 12 KB ceiling with a long last block.
    if (size + next.length + 2 > 12 * KB && size >= 2 * KB) break;
    blocks.push(next);
    size += Buffer.byteLength(next) + 2;
  }
  const day = dayOnly ? date : formatWithOffset(published, offset).slice(0, 10);
  return { name: `${day}-${slug}.md`, text: `${head}${blocks.join("\n\n")}\n`, published };
}

/** The config file of the corpus: a plain object, no imports, so it loads in any folder. */
export function configText(config: Record<string, unknown> = BASE_CONFIG): string {
  return `// Generated by bench/generate-corpus.ts.\nexport default ${JSON.stringify(config, null, 2)};\n`;
}

/**
 * Every generated article's mtime: a newsroom's archive was written long before a build, and a
 * build treats a file changed in the last seconds as one that may change again unseen (it reads
 * it afresh and makes no no-op stamp); a fixed date also keeps the corpus the same on every run.
 */
export const CORPUS_MTIME = new Date("2025-12-31T12:00:00Z");

/** Write `count` articles into `<dir>/articles/` and `wirefeed.config.ts` into `dir`. */
export async function generateCorpus(options: { dir: string; count: number; seed?: number }): Promise<GeneratedCorpus> {
  const seed = options.seed ?? DEFAULT_SEED;
  const articlesDir = path.join(options.dir, "articles");
  await mkdir(articlesDir, { recursive: true });
  await writeFile(path.join(options.dir, "wirefeed.config.ts"), configText());
  const articles: GeneratedArticle[] = [];
  let totalBytes = 0;
  // Written in small concurrent batches: one at a time is slow on 10,000 files, all at once
  // runs out of file handles.
  const BATCH = 64;
  for (let start = 0; start < options.count; start += BATCH) {
    const batch = [];
    for (let index = start; index < Math.min(start + BATCH, options.count); index++) {
      const { name, text, published } = generateArticle(seed, index);
      const bytes = Buffer.from(text, "utf8");
      articles.push({ file: `articles/${name}`, bytes: bytes.length, published });
      totalBytes += bytes.length;
      const file = path.join(articlesDir, name);
      batch.push(writeFile(file, bytes).then(() => utimes(file, CORPUS_MTIME, CORPUS_MTIME)));
    }
    await Promise.all(batch);
  }
  return { dir: options.dir, articlesDir, articles, totalBytes };
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "1000" },
      out: { type: "string" },
      seed: { type: "string", default: String(DEFAULT_SEED) },
    },
  });
  if (!values.out) throw new Error("usage: tsx bench/generate-corpus.ts --count N --out DIR [--seed S]");
  const corpus = await generateCorpus({ dir: path.resolve(values.out), count: Number(values.count), seed: Number(values.seed) });
  const mean = corpus.totalBytes / Math.max(1, corpus.articles.length) / KB;
  process.stderr.write(`wrote ${corpus.articles.length} articles (${(corpus.totalBytes / KB / KB).toFixed(1)} MB, mean ${mean.toFixed(1)} KB) to ${corpus.dir}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await cli();
