import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateCorpus } from "../bench/generate-corpus.ts";
import { openRenderCache } from "../src/cache/render-cache.ts";
import { WirefeedError } from "../src/errors.ts";
import type { Article, RenderedArticle } from "../src/model/types.ts";
import { loadSite } from "../src/pipeline.ts";
import { createArticleRenderer } from "../src/render/render-article.ts";
import { hashBody } from "../src/content/front-matter.ts";
import { openRenderPool, renderArticles } from "../src/render/render-articles.ts";
import type { SanitizeSettings } from "../src/render/sanitize.ts";
import { article } from "./helpers.ts";

/** Articles that exercise what a shared renderer or a worker could get wrong. */
const EDGE_CASES: Record<string, string> = {
  // An unreferenced definition that itself references a footnote raises marked-footnote's
  // counter without rendering it: a reused renderer then numbers the next article's notes from 2.
  "edge-footnote-leak.md": "Text without a reference.\n\n[^a]: A note that cites [^b] but is never cited.\n\n[^b]: The other note.\n",
  "edge-footnotes.md": "One[^1], two[^note], one again[^1].\n\n[^1]: First, with a [link](../first/).\n\n[^note]: Second.\n",
  "edge-headings.md": "# Intro\n\nA.\n\n## Intro\n\nB.\n\n## Intro\n\n### Details & more\n\n## Über uns\n",
  "edge-headings-again.md": "# Intro\n\nThe same heading as another article: its id must still be `intro`.\n\n## Intro\n",
  "edge-raw-html.md": [
    "<div class=\"note\" onclick=\"steal()\">Raw <em>HTML</em> <script>alert(1)</script></div>",
    "",
    "<iframe src=\"https://www.youtube-nocookie.com/embed/abc\"></iframe> <iframe src=\"https://evil.example/x\"></iframe>",
    "",
    "<details open><summary>More</summary>Hidden &amp; shown &#1; &#x1F600;</details>",
    "",
  ].join("\n"),
  "edge-relative-links.md": [
    "[up](../other/) [root](/about/) [same](#frag) [mail](mailto:a@example.com) [abs](https://example.org/x?y=1&z=2)",
    "",
    "![pic](images/a.png \"Title\") <img src=\"b.jpg\" srcset=\"b-1x.jpg 1x, ../b-2x.jpg 2x\" alt=\"b\">",
    "",
    "<video src=\"v.mp4\" poster=\"p.jpg\"></video> <blockquote cite=\"../source/\">Q</blockquote>",
    "",
    "| a | b |\n|---|:-:|\n| [x](x/) | `code` |",
    "",
    "- [x] done\n- [ ] not yet",
    "",
  ].join("\n"),
  "edge-empty.md": "<!-- renders to nothing -->\n",
  "edge-unicode.md": "Emoji 😀, CJK 漢字, RTL עברית, combining é, zero-width\u200bjoiner.\n\n```js\nconst a = \"<b>\";\n```\n",
};

const SETTINGS: SanitizeSettings = { sanitize: true, iframeHosts: ["www.youtube-nocookie.com"] };
const UNSANITIZED: SanitizeSettings = { sanitize: false, iframeHosts: [] };

/** What today's renderer gives each article on its own: the reference every path must match. */
function reference(articles: readonly Article[], settings: SanitizeSettings): RenderedArticle[] {
  return articles.map((one) => createArticleRenderer(settings)(one as Article & { body: string }));
}

/** The article with another body, and the digest that goes with it (as validation makes it). */
function withBody(article: Article, body: string): Article {
  return { ...article, body, bodyHash: hashBody(body) };
}

let dir: string;
let articles: Article[];
let expected: RenderedArticle[];
const scratch: string[] = [];
const tempDir = (prefix: string) => {
  const made = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(made);
  return made;
};

beforeAll(async () => {
  dir = tempDir("wirefeed-render-articles-");
  await generateCorpus({ dir, count: 300 });
  for (const [name, body] of Object.entries(EDGE_CASES)) {
    await writeFile(path.join(dir, "articles", name), article({ title: name.slice(0, -3), date: "2025-06-01", summary: "Edge case." }, body));
  }
  const site = await loadSite({ cwd: dir, bodies: true }).catch((error: WirefeedError) => {
    throw new Error(JSON.stringify(error.diagnostics));
  });
  const edge = (name: string) => site.articles.find((one) => one.file === `articles/${name}`) as Article;
  const rest = site.articles.filter((one) => !one.file.startsWith("articles/edge-"));
  // Edge cases among the generated articles; the footnote leak right before an article with notes,
  // and the two articles with the same headings apart.
  articles = [
    ...rest.slice(0, 100),
    edge("edge-footnote-leak.md"),
    edge("edge-footnotes.md"),
    edge("edge-headings.md"),
    ...rest.slice(100, 200),
    edge("edge-headings-again.md"),
    edge("edge-raw-html.md"),
    edge("edge-relative-links.md"),
    ...rest.slice(200),
    edge("edge-empty.md"),
    edge("edge-unicode.md"),
  ];
  expected = reference(articles, SETTINGS);
}, 120_000);

afterAll(() => {
  for (const made of scratch) rmSync(made, { recursive: true, force: true });
});

describe("renderArticles gives what createArticleRenderer gives each article", () => {
  it("loads the corpus and its edge cases", () => {
    expect(articles.length).toBe(300 + Object.keys(EDGE_CASES).length);
    expect(articles.every(Boolean)).toBe(true);
  });

  it("on the main thread", async () => {
    const rendered = await renderArticles(articles, { sanitize: SETTINGS, cache: undefined, workers: 0 });
    expect(rendered).toEqual(expected);
    // The spread keeps every field of the article, in its order, then html and text.
    expect(Object.keys(rendered[0] as RenderedArticle)).toEqual(Object.keys(expected[0] as RenderedArticle));
  });

  it("on worker threads, in input order", async () => {
    const rendered = await renderArticles(articles, { sanitize: SETTINGS, cache: undefined, workers: 2 });
    expect(rendered.map((one) => one.html)).toEqual(expected.map((one) => one.html));
    expect(rendered).toEqual(expected);
  });

  it("in any order: footnotes and heading ids depend on the article alone", async () => {
    const reversed = [...articles].reverse();
    const rendered = await renderArticles(reversed, { sanitize: SETTINGS, cache: undefined, workers: 0 });
    expect(rendered).toEqual([...expected].reverse());
    const notes = rendered.find((one) => one.file.endsWith("edge-footnotes.md")) as RenderedArticle;
    expect(notes.html).toContain(`href="${notes.permalink}#footnote-1"`);
    expect(notes.html).toMatch(/aria-describedby="footnote-label">1<\/a>/);
    const again = rendered.find((one) => one.file.endsWith("headings-again.md")) as RenderedArticle;
    expect(again.html).toContain('<h1 id="intro">Intro</h1>');
    expect(again.html).toContain('<h2 id="intro-1">Intro</h2>');
  });

  it("with other settings (sanitize: false)", async () => {
    const rendered = await renderArticles(articles.slice(0, 60), { sanitize: UNSANITIZED, cache: undefined, workers: 0 });
    expect(rendered).toEqual(reference(articles.slice(0, 60), UNSANITIZED));
  });

  it("for no articles", async () => {
    expect(await renderArticles([], { sanitize: SETTINGS, cache: undefined })).toEqual([]);
  });

  it("on a pool of workers kept from one call to the next", async () => {
    const pool = openRenderPool(SETTINGS, 2);
    try {
      expect(pool.started).toBe(false);
      // Below the threshold, an unstarted pool is left alone: rendered on this thread.
      const few = await renderArticles(articles.slice(0, 5), { sanitize: SETTINGS, cache: undefined, pool });
      expect(few).toEqual(expected.slice(0, 5));
      expect(pool.started).toBe(false);
      // Forced onto workers once, then used whatever the number of misses.
      const first = await renderArticles(articles.slice(0, 150), { sanitize: SETTINGS, cache: undefined, pool, workers: 2 });
      expect(pool.started).toBe(true);
      const used = vi.spyOn(pool, "render");
      const second = await renderArticles(articles.slice(150), { sanitize: SETTINGS, cache: undefined, pool });
      expect(used).toHaveBeenCalledTimes(1);
      expect([...first, ...second]).toEqual(expected);
      expect(pool.size).toBe(2);
    } finally {
      await pool.close();
    }
    await expect(pool.render(articles, undefined, [0], () => {})).rejects.toThrow("the render workers were stopped");
    pool.start();
    expect(pool.size).toBe(2);
    // Started by a render: no more workers than articles.
    const small = openRenderPool(SETTINGS, 2);
    try {
      expect(await renderArticles(articles.slice(0, 1), { sanitize: SETTINGS, cache: undefined, pool: small, workers: 2 })).toEqual(expected.slice(0, 1));
      expect(small.size).toBe(1);
    } finally {
      await small.close();
    }
  });

  it("a pool whose worker fails to start rejects every render, before or after it died", async () => {
    const broken = { filename: 'throw new Error("cannot load the render worker")', eval: true };
    const pool = openRenderPool(SETTINGS, 1, broken);
    try {
      await expect(renderArticles(articles.slice(0, 20), { sanitize: SETTINGS, cache: undefined, pool, workers: 1 })).rejects.toThrow(
        "could not start a render worker: cannot load the render worker",
      );
      await expect(renderArticles(articles.slice(0, 20), { sanitize: SETTINGS, cache: undefined, pool })).rejects.toThrow("could not start a render worker");
    } finally {
      await pool.close();
    }
    // Started ahead of any render (as a build does), and dead by the time the first comes.
    const early = openRenderPool(SETTINGS, 1, broken);
    early.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      await expect(renderArticles(articles.slice(0, 20), { sanitize: SETTINGS, cache: undefined, pool: early })).rejects.toThrow("could not start a render worker");
    } finally {
      await early.close();
    }
  });

  it("reports progress once per article, up to the total", async () => {
    const seen: [number, number][] = [];
    await renderArticles(articles.slice(0, 25), { sanitize: SETTINGS, cache: undefined, workers: 0, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen).toEqual(Array.from({ length: 25 }, (_, index) => [index + 1, 25]));
  });
});

describe("renderArticles with the cache", () => {
  it("fills the cache, then serves every article from it, identical", async () => {
    const cacheDir = tempDir("wirefeed-render-cache-");
    const cold = openRenderCache(cacheDir);
    expect(await renderArticles(articles, { sanitize: SETTINGS, cache: cold })).toEqual(expected);
    expect(cold.stats).toMatchObject({ hits: 0, misses: articles.length, written: articles.length, writeFailures: 0 });

    const warm = openRenderCache(cacheDir);
    const progress: number[] = [];
    const rendered = await renderArticles(articles, { sanitize: SETTINGS, cache: warm, onProgress: (done) => progress.push(done) });
    expect(rendered).toEqual(expected);
    expect(warm.stats).toMatchObject({ hits: articles.length, misses: 0, written: 0 });
    expect(progress.at(-1)).toBe(articles.length);
  });

  it("fills the cache from worker threads too", async () => {
    const cacheDir = tempDir("wirefeed-render-cache-");
    const subset = articles.slice(0, 50);
    await renderArticles(subset, { sanitize: SETTINGS, cache: openRenderCache(cacheDir), workers: 2 });
    const warm = openRenderCache(cacheDir);
    expect(await renderArticles(subset, { sanitize: SETTINGS, cache: warm, workers: 2 })).toEqual(expected.slice(0, 50));
    expect(warm.stats.hits).toBe(50);
  });

  it("really uses what it finds: an entry's HTML is returned as stored", async () => {
    const cacheDir = tempDir("wirefeed-render-cache-");
    const cache = openRenderCache(cacheDir);
    const first = articles.slice(0, 3);
    await renderArticles(first, { sanitize: SETTINGS, cache });
    const key = cache.keyOf(['{"iframeHosts":["www.youtube-nocookie.com"],"sanitize":true}', (first[1] as Article).permalink, (first[1] as Article).bodyHash as string]);
    cache.write(key, { html: "<p>from the cache</p>", text: "from the cache" });
    await cache.flush();
    const rendered = await renderArticles(first, { sanitize: SETTINGS, cache: openRenderCache(cacheDir) });
    expect(rendered[1]?.html).toBe("<p>from the cache</p>");
    expect(rendered[0]).toEqual(expected[0]);
  });

  it("misses after a change of body, permalink or settings, and only for what changed", async () => {
    const cacheDir = tempDir("wirefeed-render-cache-");
    const subset = articles.slice(0, 20);
    await renderArticles(subset, { sanitize: SETTINGS, cache: openRenderCache(cacheDir) });

    const edited = subset.map((one, index) => (index === 3 ? withBody(one, `${one.body}\nAn added line.\n`) : one));
    const moved = subset.map((one, index) => (index === 5 ? { ...one, permalink: "https://mirror.example.net/news/moved/" } : one));
    for (const [changed, index] of [[edited, 3], [moved, 5]] as const) {
      const cache = openRenderCache(cacheDir);
      const rendered = await renderArticles(changed, { sanitize: SETTINGS, cache });
      expect(cache.stats).toMatchObject({ hits: 19, misses: 1, written: 1 });
      expect(rendered[index]).toEqual(createArticleRenderer(SETTINGS)(changed[index] as Article & { body: string }));
    }
    expect((await renderArticles(moved, { sanitize: SETTINGS, cache: undefined }))[5]?.html).toContain("https://mirror.example.net/news/");

    for (const settings of [UNSANITIZED, { sanitize: true, iframeHosts: [] }]) {
      const cache = openRenderCache(cacheDir);
      expect(await renderArticles(subset, { sanitize: settings, cache })).toEqual(reference(subset, settings));
      expect(cache.stats).toMatchObject({ hits: 0, misses: 20 });
    }
  });

  it("treats a damaged entry as a miss, renders the article again and mends the entry", async () => {
    const cacheDir = tempDir("wirefeed-render-cache-");
    const subset = articles.slice(0, 10);
    await renderArticles(subset, { sanitize: SETTINGS, cache: openRenderCache(cacheDir) });
    const files = readdirSync(cacheDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name));
    expect(files).toHaveLength(10);
    writeFileSync(files[0] as string, "not an entry");
    writeFileSync(files[1] as string, "");
    writeFileSync(files[2] as string, Buffer.from([0xff, 0xfe, 0x00, 0x80]));

    const cache = openRenderCache(cacheDir);
    expect(await renderArticles(subset, { sanitize: SETTINGS, cache })).toEqual(expected.slice(0, 10));
    expect(cache.stats).toMatchObject({ hits: 7, misses: 3, written: 3 });
    const mended = openRenderCache(cacheDir);
    await renderArticles(subset, { sanitize: SETTINGS, cache: mended });
    expect(mended.stats.hits).toBe(10);
  });

  it("still renders when the cache folder cannot be written", async () => {
    const blocker = path.join(tempDir("wirefeed-render-cache-"), "a-file");
    writeFileSync(blocker, "a file where the cache folder's parent should be");
    // A folder under a regular file can never be made, even by root.
    const cache = openRenderCache(path.join(blocker, "cache"));
    const subset = articles.slice(0, 30);
    expect(await renderArticles(subset, { sanitize: SETTINGS, cache })).toEqual(expected.slice(0, 30));
    expect(cache.stats.written).toBe(0);
    expect(cache.stats.writeFailures).toBeGreaterThanOrEqual(1);
  });
});

describe("renderArticles handing each article over in order (issue 7)", () => {
  /** Render with `onArticle`, collecting what it is handed: [index, article] in the order handed. */
  async function handOver(list: readonly Article[], options: Omit<Parameters<typeof renderArticles>[1], "onArticle">) {
    const handed: [number, RenderedArticle][] = [];
    const returned = await renderArticles(list, { ...options, onArticle: (one, index) => handed.push([index, one]) });
    return { handed, returned };
  }

  it("hands every article over once, in input order, from worker threads, and returns no list", async () => {
    const { handed, returned } = await handOver(articles, { sanitize: SETTINGS, cache: undefined, workers: 2 });
    expect(returned).toEqual([]);
    expect(handed.map(([index]) => index)).toEqual(articles.map((_, index) => index));
    expect(handed.map(([, one]) => one)).toEqual(expected);
  });

  it("in input order with some articles in the cache and the rest rendered, on the main thread", async () => {
    const cacheDir = tempDir("wirefeed-render-cache-");
    // Every third article cached, the first among them: a hit at the front goes at once, the
    // others wait for the renders before them.
    const cached = articles.filter((_, index) => index % 3 === 0);
    await renderArticles(cached, { sanitize: SETTINGS, cache: openRenderCache(cacheDir), workers: 0 });
    const cache = openRenderCache(cacheDir);
    const { handed } = await handOver(articles, { sanitize: SETTINGS, cache, workers: 0 });
    expect(cache.stats).toMatchObject({ hits: cached.length, misses: articles.length - cached.length });
    expect(handed.map(([index]) => index)).toEqual(articles.map((_, index) => index));
    expect(handed.map(([, one]) => one)).toEqual(expected);
  });

  it("looks the cache up a window at a time, and hands over in order across windows", async () => {
    const cacheDir = tempDir("wirefeed-render-cache-");
    const list = articles.slice(0, 40);
    await renderArticles(list.filter((_, index) => index % 2 === 0), { sanitize: SETTINGS, cache: openRenderCache(cacheDir), workers: 0 });
    const cache = openRenderCache(cacheDir);
    const lookups: number[] = [];
    const readMany = cache.readMany.bind(cache);
    cache.readMany = (keys) => {
      lookups.push(keys.length);
      return readMany(keys);
    };
    const progress: number[] = [];
    const handed: number[] = [];
    const outputs: RenderedArticle[] = [];
    await renderArticles(list, {
      sanitize: SETTINGS,
      cache,
      workers: 0,
      streamWindow: 16,
      onProgress: (done) => progress.push(done),
      onArticle: (one, index) => {
        handed.push(index);
        outputs.push(one);
      },
    });
    expect(lookups).toEqual([16, 16, 8]);
    expect(handed).toEqual(list.map((_, index) => index));
    expect(outputs).toEqual(expected.slice(0, 40));
    expect(cache.stats).toMatchObject({ hits: 20, misses: 20 });
    expect(progress.at(-1)).toBe(40);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("fails with the first error onArticle throws, once the render is over, and hands over nothing after it", async () => {
    const seen: number[] = [];
    const failure = new Error("the consumer failed");
    const render = renderArticles(articles.slice(0, 40), {
      sanitize: SETTINGS,
      cache: undefined,
      workers: 2,
      onArticle: (_one, index) => {
        seen.push(index);
        if (index === 7) throw failure;
      },
    });
    await expect(render).rejects.toBe(failure);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe("renderArticles failures", () => {
  const broken = () => articles.slice(0, 5).map((one, index) => (index === 2 ? { ...one, body: 42 as unknown as string } : one));

  it("names the article's file when a render throws on the main thread", async () => {
    const file = (articles[2] as Article).file;
    await expect(renderArticles(broken(), { sanitize: SETTINGS, cache: undefined, workers: 0 })).rejects.toThrow(`${file}: could not render the article`);
  });

  it("names the article's file when a render throws in a worker", async () => {
    const file = (articles[2] as Article).file;
    await expect(renderArticles(broken(), { sanitize: SETTINGS, cache: undefined, workers: 2 })).rejects.toThrow(`${file}: could not render the article`);
  });

  it("passes on, as it is, an error reading a body for a worker", async () => {
    const changed = new WirefeedError("CONTENT_INVALID", "articles/x.md changed while the build was running", { file: "articles/x.md" });
    const subset = articles.slice(0, 40).map((one) => ({ ...one, body: undefined }));
    const readBody = async (one: Article) => {
      if (one.id === subset[30]?.id) throw changed;
      return (articles.find((other) => other.id === one.id) as Article).body as string;
    };
    await expect(renderArticles(subset, { sanitize: SETTINGS, cache: undefined, workers: 2, readBody })).rejects.toBe(changed);
  });
});

describe("bodies for worker threads (issue 7)", () => {
  it("are read as their batch is sent, so only the batches in flight are held", async () => {
    const subset = articles.slice(0, 200).map((one) => ({ ...one, body: undefined }));
    let reads = 0;
    let readsAtFirstResult: number | undefined;
    const rendered = await renderArticles(subset, {
      sanitize: SETTINGS,
      cache: undefined,
      workers: 2,
      readBody: async (one) => {
        reads++;
        return (articles.find((other) => other.id === one.id) as Article).body as string;
      },
      onProgress: () => {
        readsAtFirstResult ??= reads;
      },
    });
    const made = ({ html, text }: RenderedArticle) => ({ html, text });
    expect(rendered.map(made)).toEqual(expected.slice(0, 200).map(made));
    expect(reads).toBe(200);
    // Two workers, two batches in flight each, of ceil(200 / 16) = 13 articles: 52 reads at most.
    expect(readsAtFirstResult).toBeLessThanOrEqual(52);
  });

  it("refuses a worker count that is not a whole number of 0 or more", async () => {
    for (const workers of [-1, 1.5, Number.NaN]) {
      await expect(renderArticles(articles.slice(0, 1), { sanitize: SETTINGS, cache: undefined, workers })).rejects.toBeInstanceOf(WirefeedError);
    }
  });
});
