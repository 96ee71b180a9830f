/**
 * The measurement behind the render numbers of issue 7: main thread vs workers, cold vs warm
 * cache, on a corpus made by generate-corpus.ts. Not part of npm test; it prints wall times.
 *
 *   npx tsx bench/generate-corpus.ts --count 10000 --out /tmp/c10k
 *   npx tsx bench/measure-render.ts /tmp/c10k
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openRenderCache } from "../src/cache/render-cache.ts";
import { loadSite } from "../src/pipeline.ts";
import { renderArticles } from "../src/render/render-articles.ts";

const corpus = process.argv[2];
if (!corpus) {
  console.error("usage: tsx bench/measure-render.ts CORPUS_DIR");
  process.exit(2);
}
const site = await loadSite({ cwd: corpus });
const sanitize = { sanitize: site.loaded.config.sanitize, iframeHosts: site.loaded.config.iframeHosts };
const all = site.articles;
const cacheDir = mkdtempSync(path.join(os.tmpdir(), "wirefeed-render-measure-"));
console.log(`${all.length} articles, ${os.availableParallelism()} cores, node ${process.version}`);
const time = async (label: string, run: () => Promise<unknown>) => {
  const start = performance.now();
  await run();
  console.log(`${label.padEnd(46)} ${((performance.now() - start) / 1000).toFixed(2)} s`);
};
try {
  await time("main thread, no cache", () => renderArticles(all, { sanitize, cache: undefined, workers: 0 }));
  await time(`${os.availableParallelism()} workers, no cache`, () => renderArticles(all, { sanitize, cache: undefined }));
  await time("default, cold cache (render + write every entry)", () => renderArticles(all, { sanitize, cache: openRenderCache(cacheDir) }));
  await time("default, warm cache (every entry read)", () => renderArticles(all, { sanitize, cache: openRenderCache(cacheDir) }));
  const edited = all.map((one, index) => (index === 0 ? { ...one, body: `${one.body}\nEdited.\n` } : one));
  await time("default, warm cache, one article edited", () => renderArticles(edited, { sanitize, cache: openRenderCache(cacheDir) }));
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
