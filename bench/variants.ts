/**
 * What the bench measures, side by side, at each corpus size. Every variant is one child process
 * per run; the unmeasured work around it (fresh folders, the edit, snapshots, checks) is here.
 *
 * The wirefeed variants run the real CLI, `lib/wirefeed.mjs build` (the package's `bin`, compiled
 * from the current source when the bench starts), exactly as a user or CI does (config loading,
 * the build, the summary on stderr), rather than calling build() from a script: startup and the
 * CLI's own summary are part of what a user waits for. Each variant builds its own site folder, so state files, caches and outputs never leak
 * from one variant into another.
 */
import { createReadStream } from "node:fs";
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { BASE_CONFIG, type GeneratedCorpus, configText } from "./generate-corpus.ts";
import { type ChildCommand, runChild } from "./run-child.ts";
import { WIREFEED_BIN, compiledScript } from "./compile-scripts.ts";
import { type FileState, diffSnapshots, snapshotTree } from "./snapshot-tree.ts";
import { planFeeds, selectArticles } from "../src/model/plan-feeds.ts";
import { loadSite } from "../src/pipeline.ts";

const REPO = path.resolve(import.meta.dirname, "..");
const WIREFEED = WIREFEED_BIN;

export type VariantKey =
  | "cold-all"
  | "cold-archive"
  | "default"
  | "warm-one-edit"
  | "rebuild-all"
  | "check-all"
  | "no-op"
  | "naive"
  | "floor-read"
  | "floor-render"
  | "floor-render-cores"
  | "floor-render-default";

/** Worker threads of the parallel floors: as many as wirefeed starts render workers, one per core. */
const CORES = availableParallelism();

export interface VariantInfo {
  key: VariantKey;
  label: string;
  description: string;
}

/** In table order: wirefeed's builds, then the baseline, then the floors. */
export const VARIANTS: readonly VariantInfo[] = [
  {
    key: "cold-all",
    label: "cold all",
    description: "wirefeed build, limit = N: every article in the main feed, RSS + Atom + JSON; tag and section feeds off; fresh site folder (no output, state or cache)",
  },
  {
    key: "cold-archive",
    label: "cold archive",
    description:
      "wirefeed build with archives on (limit 20, pages of 20): every article in some document, RSS + Atom + JSON, plus tag and section feeds; fresh site folder, --no-cache",
  },
  {
    key: "default",
    label: "default",
    description: "wirefeed build with the default config: newest 20 in the main feed plus tag and section feeds, no archives; fresh site folder",
  },
  {
    key: "warm-one-edit",
    label: "warm one edit",
    description: "wirefeed rebuild after editing the newest article's body; archives on, limit 20, tag and section feeds on; the previous build's output and state in place",
  },
  {
    key: "rebuild-all",
    label: "rebuild all, one edit",
    description:
      "wirefeed rebuild of the cold-all site (every article in the main feed) after editing the newest article's body; the previous build's output, state and cache in place, as a scheduled CI job that keeps them",
  },
  {
    key: "check-all",
    label: "check all",
    description:
      "wirefeed check of the cold-all site after its build (every article in the main feed): the articles through the pipeline, compared with dist/, and every feed file checked, as the publish workflow does after each build",
  },
  {
    key: "no-op",
    label: "no-op",
    description: "wirefeed rebuild with nothing changed; archives on, limit 20; checks that no file in the site folder changed bytes or mtime",
  },
  {
    key: "naive",
    label: "naive",
    description: "gray-matter + marked + feed@6 rss2()/atom1()/json1(), every article, written to disk (bench/naive.ts)",
  },
  { key: "floor-read", label: "floor read", description: "Node reads every article as text, one after another (bench/floor-read.ts)" },
  {
    key: "floor-render",
    label: "floor render",
    description: "gray-matter + marked on every article, one thread, nothing written (bench/floor-render.ts)",
  },
  {
    key: "floor-render-cores",
    label: "floor render, all cores",
    description: `the same on ${CORES} worker threads (one per core, as wirefeed renders): the floor of a build that renders every article`,
  },
  {
    key: "floor-render-default",
    label: "floor render, default",
    description: `the same on ${CORES} worker threads for only the articles the default build's feeds show (main, tag and section feeds): the floor of the default build's render`,
  },
];

export interface SizeContext {
  n: number;
  /** This size's folder: corpus/, sites/<variant>/, out/<variant>/. */
  dir: string;
  corpus: GeneratedCorpus;
  /** The build instant every variant is given, after every article's date. */
  now: string;
  /** Whether this wirefeed has `build --no-cache` (it is planned, not yet there). */
  hasNoCache: boolean;
  timeoutMs: number;
}

export interface VariantRunner {
  info: VariantInfo;
  /** Once per size, unmeasured: configs, copies, the first build of a warm site. Throws on failure. */
  setup: () => Promise<void>;
  /** Unmeasured, before run `run` (from 1): a fresh folder, an edit, a snapshot. */
  before: (run: number) => Promise<void>;
  command: () => ChildCommand;
  /** After a run that exited 0: what is wrong with its result, if anything. */
  verify: (run: number) => Promise<string[]>;
}

const CONFIG_FILE = "wirefeed.config.ts";

/** A site folder with its own config; `articlesDir` points at the shared corpus unless it has its own copy. */
async function writeSite(dir: string, config: Record<string, unknown>): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, CONFIG_FILE), configText({ ...BASE_CONFIG, ...config }));
}

/** Remove everything a build left in a site folder (output, state, any cache), keeping its config. */
async function resetSite(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name !== CONFIG_FILE) await rm(path.join(dir, name), { recursive: true, force: true });
  }
}

function buildCommand(ctx: SizeContext, site: string, extra: string[] = []): ChildCommand {
  return { script: WIREFEED, args: ["build", "--now", ctx.now, ...extra], cwd: site };
}

/** A failed setup; `timedOut` tells the bench not to try the variant at larger sizes. */
export class SetupError extends Error {
  readonly timedOut: boolean;
  constructor(message: string, timedOut: boolean) {
    super(message);
    this.timedOut = timedOut;
  }
}

/** The first build of a site that later runs rebuild; not measured. */
async function prime(ctx: SizeContext, site: string): Promise<void> {
  const result = await runChild(buildCommand(ctx, site), { timeoutMs: ctx.timeoutMs });
  if (!result.ok) throw new SetupError(`the first (unmeasured) build failed: ${result.error ?? "unknown"}`, result.timedOut);
}

/**
 * Items in a JSON Feed as wirefeed writes it (two-space indents): the lines that give an item's
 * `id`, counted as the file streams by, since a feed of 100,000 full items (about 1 GB) is longer
 * than the longest string V8 holds; and whether a line holds `text`. A file small enough is parsed
 * too, and the two counts must agree.
 */
async function scanJsonFeed(file: string, text?: string): Promise<{ items: number; found: boolean }> {
  let items = 0;
  let found = false;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.startsWith('      "id": ')) items++;
    if (text !== undefined && !found) found = line.includes(text);
  }
  if ((await stat(file)).size <= 256_000_000) {
    const parsed = (JSON.parse(await readFile(file, "utf8")) as { items?: unknown[] }).items?.length ?? 0;
    if (parsed !== items) throw new Error(`${file}: ${parsed} items parsed but ${items} item ids counted line by line`);
  }
  return { items, found };
}

async function countJsonFeedItems(file: string): Promise<number> {
  return (await scanJsonFeed(file)).items;
}

const noProblems = async (): Promise<string[]> => [];
const nothing = async (): Promise<void> => undefined;

export function createRunners(ctx: SizeContext): VariantRunner[] {
  const info = (key: VariantKey) => VARIANTS.find((variant) => variant.key === key) as VariantInfo;
  const siteOf = (key: VariantKey) => path.join(ctx.dir, "sites", key);
  const outOf = (key: VariantKey) => path.join(ctx.dir, "out", key);
  const sharedArticles = { articlesDir: ctx.corpus.articlesDir };
  const archives = { archive: true, limit: 20 };
  // Every article in the main feed; a site that publishes every item raises the budget, whose warning would only be noise.
  const everyItem = { limit: ctx.n, feeds: { tags: false, sections: false }, sizeBudget: Number.MAX_SAFE_INTEGER };

  const coldAll: VariantRunner = {
    info: info("cold-all"),
    setup: () =>
      writeSite(siteOf("cold-all"), { ...sharedArticles, ...everyItem }),
    before: () => resetSite(siteOf("cold-all")),
    command: () => buildCommand(ctx, siteOf("cold-all"), ctx.hasNoCache ? ["--no-cache"] : []),
    verify: async () => {
      const items = await countJsonFeedItems(path.join(siteOf("cold-all"), "dist", "feed.json"));
      return items === ctx.n ? [] : [`dist/feed.json holds ${items} items, expected all ${ctx.n}`];
    },
  };

  const coldArchive: VariantRunner = {
    info: info("cold-archive"),
    setup: () => writeSite(siteOf("cold-archive"), { ...sharedArticles, ...archives }),
    before: () => resetSite(siteOf("cold-archive")),
    command: () => buildCommand(ctx, siteOf("cold-archive"), ctx.hasNoCache ? ["--no-cache"] : []),
    verify: async () => {
      // Every article is in the main feed or a full archive page (the rest of the last page is in the main feed).
      const pages = Math.floor(ctx.n / 20);
      const last = path.join(siteOf("cold-archive"), "dist", "archive", String(pages), "feed.json");
      const items = pages > 0 ? await countJsonFeedItems(last) : 20;
      return items === 20 ? [] : [`dist/archive/${pages}/feed.json holds ${items} items, expected 20`];
    },
  };

  const defaultBuild: VariantRunner = {
    info: info("default"),
    setup: () => writeSite(siteOf("default"), sharedArticles),
    before: () => resetSite(siteOf("default")),
    command: () => buildCommand(ctx, siteOf("default")),
    verify: async () => {
      const expected = Math.min(20, ctx.n);
      const items = await countJsonFeedItems(path.join(siteOf("default"), "dist", "feed.json"));
      return items === expected ? [] : [`dist/feed.json holds ${items} items, expected ${expected}`];
    },
  };

  const newest = [...ctx.corpus.articles].sort((a, b) => b.published - a.published)[0];
  const marker = (run: number) => `Correction, bench run ${run}:`;
  /**
   * A site with its own copy of the articles, built once unmeasured, whose newest article each
   * run edits before it rebuilds; `verify` finds the edit in the main JSON Feed, streamed (a feed
   * of every item can be longer than the longest string), and checks its items.
   */
  const editing = (key: "warm-one-edit" | "rebuild-all", config: Record<string, unknown>, items: number): VariantRunner => {
    const site = siteOf(key);
    const edited = path.join(site, newest?.file ?? "articles/none.md");
    let original = "";
    return {
      info: info(key),
      setup: async () => {
        await writeSite(site, config);
        // With their mtimes: an archive's articles are old, and a build reads files changed in the
        // seconds before it again (it cannot tell an edit in the same timestamp tick from none).
        await cp(ctx.corpus.articlesDir, path.join(site, "articles"), { recursive: true, preserveTimestamps: true });
        original = await readFile(edited, "utf8");
        await prime(ctx, site);
      },
      // A real edit each run (a correction appended to the newest story), so that every measured
      // rebuild has exactly one changed article compared with the build before it.
      before: (run) => writeFile(edited, `${original}\n*${marker(run)}* an earlier version of this article misstated a figure.\n`),
      command: () => buildCommand(ctx, site),
      verify: async (run) => {
        const main = await scanJsonFeed(path.join(site, "dist", "feed.json"), marker(run));
        const problems = main.found ? [] : [`the edit of ${newest?.file} (run ${run}) is missing from dist/feed.json`];
        return main.items === items ? problems : [...problems, `dist/feed.json holds ${main.items} items, expected ${items}`];
      },
    };
  };
  const checkSite = siteOf("check-all");
  const checkAll: VariantRunner = {
    info: info("check-all"),
    setup: async () => {
      await writeSite(checkSite, { ...sharedArticles, ...everyItem });
      await prime(ctx, checkSite);
    },
    before: nothing,
    command: () => ({ script: WIREFEED, args: ["check", "--now", ctx.now], cwd: checkSite }),
    verify: noProblems,
  };
  const warm = editing("warm-one-edit", archives, Math.min(20, ctx.n));
  const rebuildAll = editing("rebuild-all", everyItem, ctx.n);

  const noOpSite = siteOf("no-op");
  let before = new Map<string, FileState>();
  const noOp: VariantRunner = {
    info: info("no-op"),
    setup: async () => {
      await writeSite(noOpSite, { ...sharedArticles, ...archives });
      await prime(ctx, noOpSite);
    },
    // The whole site folder but its config: output, state and any cache must stay untouched.
    before: async () => {
      before = await snapshotTree(noOpSite, [CONFIG_FILE]);
    },
    command: () => buildCommand(ctx, noOpSite),
    verify: async () => {
      const problems = diffSnapshots(before, await snapshotTree(noOpSite, [CONFIG_FILE]));
      if (problems.length === 0) return [];
      const shown = problems.slice(0, 5).join("; ");
      return [`the no-op rebuild changed ${problems.length} file(s): ${shown}${problems.length > 5 ? "; …" : ""}`];
    },
  };

  const naive: VariantRunner = {
    info: info("naive"),
    setup: nothing,
    before: () => rm(outOf("naive"), { recursive: true, force: true }),
    command: () => ({
      script: compiledScript("naive"),
      args: ["--articles", ctx.corpus.articlesDir, "--out", outOf("naive"), "--site-url", BASE_CONFIG.siteUrl, "--now", ctx.now],
      cwd: ctx.corpus.dir,
    }),
    verify: async () => {
      const missing: string[] = [];
      for (const name of ["rss.xml", "atom.xml", "feed.json"]) {
        const info = await stat(path.join(outOf("naive"), name)).catch(() => undefined);
        if (!info?.size) missing.push(`naive wrote no ${name}`);
      }
      return missing;
    },
  };

  const floor = (key: "floor-read" | "floor-render" | "floor-render-cores", threads: string[] = []): VariantRunner => ({
    info: info(key),
    setup: nothing,
    before: nothing,
    command: () => ({ script: compiledScript(key === "floor-read" ? key : "floor-render"), args: ["--articles", ctx.corpus.articlesDir, ...threads], cwd: ctx.corpus.dir }),
    verify: noProblems,
  });

  const shownList = path.join(siteOf("floor-render-default"), "shown-articles.txt");
  const floorDefault: VariantRunner = {
    info: info("floor-render-default"),
    setup: async () => {
      await writeSite(siteOf("floor-render-default"), sharedArticles);
      await writeFile(shownList, (await listShownArticles(siteOf("floor-render-default"), ctx.now)).join("\n") + "\n");
    },
    before: nothing,
    command: () => ({
      script: compiledScript("floor-render"),
      args: ["--articles", ctx.corpus.articlesDir, "--files", shownList, "--threads", String(CORES)],
      cwd: ctx.corpus.dir,
    }),
    verify: noProblems,
  };

  return [
    coldAll,
    coldArchive,
    defaultBuild,
    warm,
    rebuildAll,
    checkAll,
    noOp,
    naive,
    floor("floor-read"),
    floor("floor-render"),
    floor("floor-render-cores", ["--threads", String(CORES)]),
    floorDefault,
  ];
}

/**
 * The files of the articles some feed of the site in `dir` shows at `now`, newest first: what its
 * build renders. Planned by wirefeed's own load → select → plan, so the floor follows the config.
 */
async function listShownArticles(dir: string, now: string): Promise<string[]> {
  const site = await loadSite({ cwd: dir });
  const { live, expired } = selectArticles(site.articles, { now: new Date(now), drafts: false, future: false });
  const { plans } = planFeeds(live, site.loaded.config, expired);
  const shown = new Set(plans.flatMap((plan) => plan.articleIds));
  return live.filter((article) => shown.has(article.id)).map((article) => path.resolve(site.loaded.root, article.file));
}

/**
 * Whether `wirefeed build` takes `--no-cache` (planned in issue 7): the cold variant passes it when
 * it exists, so a cache kept outside the site folder cannot make a "cold" build warm.
 */
export async function detectNoCache(): Promise<boolean> {
  const help = await runChild({ script: WIREFEED, args: ["build", "--help"], cwd: REPO }, { timeoutMs: 60_000 });
  return help.ok && help.stdout.includes("--no-cache");
}
