/**
 * Issue 3, "Nothing lost, nothing half-written": the real CLI is killed with SIGKILL at random
 * points, many times over. Each time every file wirefeed writes to dist/ (the three feeds above
 * all) must be the complete old or the complete new version — never torn — and files wirefeed
 * did not write (a CNAME, a hand-placed image) must survive untouched.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { type FSWatcher, watch } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { FIXED_NOW, article, makeTempSite } from "./helpers.ts";
import { repoRoot, seededRandom, strictXmlError } from "./support/feed-checks.ts";

const FEEDS = ["rss.xml", "atom.xml", "feed.json"] as const;
type Version = "old" | "new";

/** Reproducible plan of kill points (the timing itself is the OS's): override with WIREFEED_KILL_SEED. */
const SEED = Number(process.env.WIREFEED_KILL_SEED ?? 0x5eed_2025);
/** 80 articles of ~5 KB: feeds of ~0.45 MB each (and the tag feeds), written and fsynced through temp files. */
const ARTICLES = 80;
/** Runs continue until this many ended in a SIGKILL (runs that finish first do not count). */
const TARGET_KILLS = 30;
const MAX_RUNS = 45;
/** Share of kills at a random instant anywhere in the run; the rest aim at the write phase. */
const ANYWHERE_SHARE = 0.3;

/** Files placed by hand, which wirefeed must never touch. */
const CNAME = Buffer.from("news.example.com\n");
const LOGO = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 37 + 11) % 256));
const PLACED: Record<string, Buffer> = { CNAME, "img/logo.png": LOGO };

const bin = path.join(repoRoot, "bin/wirefeed.ts");
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** About 5 KB of Markdown with characters that need escaping in every format. */
function articleText(index: number, version: Version): string {
  const word = version === "old" ? "original" : "revised";
  const paragraphs = Array.from(
    { length: version === "old" ? 36 : 40 },
    (_, p) => `Paragraph ${p} of the ${word} article ${index}: tariffs & trade, <em>talks</em> "resume" — año ${2025 + (p % 3)}, ]]> stays text.`,
  );
  const date = new Date(Date.UTC(2025, 0, 1) + index * 3_600_000).toISOString();
  return article(
    { title: `${version === "old" ? "Report" : "Updated report"} ${index} & <analysis>`, date, tags: ["news"] },
    `${paragraphs.join("\n\n")}\n`,
  );
}

async function writeArticles(site: string, version: Version): Promise<void> {
  await Promise.all(
    Array.from({ length: ARTICLES }, (_, index) =>
      writeFile(path.join(site, "articles", `a${String(index).padStart(4, "0")}.md`), articleText(index, version)),
    ),
  );
}

/** How a run is ended: at an instant after spawning, or on the k-th change seen in dist/. */
type KillPlan = { kind: "none" } | { kind: "after-ms"; ms: number } | { kind: "on-event"; event: number; extraMs: number };

interface RunRecord {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  /** fs.watch events in dist/ while the child ran: temp files created, written, renamed. */
  events: number;
  /** Milliseconds from spawning to the first and the last of those events. */
  firstEventMs: number | undefined;
  lastEventMs: number | undefined;
  stderr: string;
}

/** `wirefeed build --now …` as a real child process in `site`, ended as the plan says. */
function runCli(site: string, plan: KillPlan): Promise<RunRecord> {
  const started = performance.now();
  let events = 0;
  let firstEventMs: number | undefined;
  let lastEventMs: number | undefined;
  let stderr = "";
  let child: ChildProcess | undefined;
  const kill = () => child?.kill("SIGKILL");
  const watcher: FSWatcher = watch(path.join(site, "dist"), () => {
    events++;
    lastEventMs = performance.now() - started;
    firstEventMs ??= lastEventMs;
    if (plan.kind === "on-event" && events === plan.event) {
      if (plan.extraMs === 0) kill();
      else setTimeout(kill, plan.extraMs);
    }
  });
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  child = spawn(process.execPath, ["--import", tsxLoader, bin, "build", "--now", FIXED_NOW], {
    cwd: site,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = plan.kind === "after-ms" ? setTimeout(kill, plan.ms) : undefined;
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      watcher.close();
      resolve({ code, signal, ms: performance.now() - started, events, firstEventMs, lastEventMs, stderr });
    });
  });
}

/** Every file under dir, relative, forward slashes, sorted; [] when dir is missing. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), `${rel}/`)));
    else out.push(rel);
  }
  return out.sort();
}

const isTemp = (name: string) => name.endsWith(".tmp");

/** The files wirefeed wrote in dist/ (everything but the placed files and temp files), with their bytes. */
async function readOutputs(dist: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of await listFiles(dist)) {
    if (name in PLACED || isTemp(name)) continue;
    out.set(name, await readFile(path.join(dist, name)));
  }
  return out;
}

/** A strict parse by file type; undefined when it parses (or is not XML or JSON). */
function parseProblem(name: string, bytes: Buffer): string | undefined {
  const text = bytes.toString("utf8");
  if (/\.(xml|opml)$/.test(name)) return strictXmlError(text);
  if (name.endsWith(".json")) {
    try {
      JSON.parse(text);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

describe("SIGKILL during a build (issue 3: nothing lost, nothing half-written)", () => {
  it(
    `leaves every feed complete, old or new, after ${TARGET_KILLS} SIGKILLs at random points, and keeps files it did not write`,
    async () => {
      const started = performance.now();
      const site = await makeTempSite({}, { limit: 1000, timeZone: "UTC" });
      const dist = path.join(site, "dist");
      const stateFile = path.join(site, ".wirefeed/state.json");
      await writeArticles(site, "old");
      for (const [name, bytes] of Object.entries(PLACED)) {
        await mkdir(path.dirname(path.join(dist, name)), { recursive: true });
        await writeFile(path.join(dist, name), bytes);
      }

      // The old version, built by the real CLI; the build state it leaves is part of it (the
      // state refines `updated`, so every later run starts from this same state).
      const oldRun = await runCli(site, { kind: "none" });
      expect(oldRun.code, oldRun.stderr).toBe(0);
      const old = await readOutputs(dist);
      const oldState = await readFile(stateFile).catch(() => undefined);

      // The new version: also a full CLI run, which calibrates the kill points (duration, and
      // how many changes the writer makes in dist/).
      await writeArticles(site, "new");
      const calibration = await runCli(site, { kind: "none" });
      expect(calibration.code, calibration.stderr).toBe(0);
      const fresh = await readOutputs(dist);
      const freshState = await readFile(stateFile).catch(() => undefined);
      for (const feed of FEEDS) {
        const before = old.get(feed);
        const after = fresh.get(feed);
        expect(before && after, `${feed} is written`).toBeTruthy();
        expect(before?.equals(after as Buffer), `${feed} must differ between the versions`).toBe(false);
      }
      // Both versions are themselves valid, so "byte-equal to one of them" means "complete".
      for (const [name, bytes] of [...old, ...fresh]) expect(parseProblem(name, bytes), name).toBeUndefined();
      expect(calibration.events, "the writer's changes are visible to fs.watch").toBeGreaterThan(3);
      const names = [...new Set([...old.keys(), ...fresh.keys()])].sort();
      const duration = Math.max(oldRun.ms, calibration.ms);

      const random = seededRandom(SEED);
      const outcomes = { old: 0, new: 0, mixed: 0, completed: 0 };
      const killsByPlan = { "after-ms": 0, "on-event": 0 };
      const tempCounts: number[] = [];
      let kills = 0;
      let runs = 0;
      let childMs = 0;
      while (kills < TARGET_KILLS && runs < MAX_RUNS) {
        runs++;
        // Back to the old version (and its state), so that every run has everything to replace.
        for (const name of names) {
          const file = path.join(dist, name);
          const want = old.get(name);
          if (want === undefined) await rm(file, { force: true });
          else if (!(await readFile(file).catch(() => Buffer.alloc(0))).equals(want)) await writeFile(file, want);
        }
        if (oldState) await writeFile(stateFile, oldState);
        const plan: KillPlan =
          random() < ANYWHERE_SHARE
            ? { kind: "after-ms", ms: Math.round(random() * duration * 1.1) }
            : { kind: "on-event", event: 1 + Math.floor(random() * calibration.events), extraMs: Math.floor(random() * 4) };
        const run = await runCli(site, plan);
        childMs += run.ms;
        const killed = run.signal === "SIGKILL";
        const where = `run ${runs} (${JSON.stringify(plan)}, ${killed ? "killed" : `exit ${run.code}`})`;
        if (!killed) expect(run.code, `${where}: a run that was not killed must succeed:\n${run.stderr}`).toBe(0);

        // Every file wirefeed writes: strictly parseable and byte-equal to one complete version;
        // a file of the old version is never missing.
        const seen = new Set<Version>();
        for (const name of names) {
          const bytes = await readFile(path.join(dist, name)).catch(() => undefined);
          if (bytes === undefined) {
            expect(old.has(name), `${where}: ${name} of the old version is gone`).toBe(false);
            continue;
          }
          expect(parseProblem(name, bytes), `${where}: ${name}`).toBeUndefined();
          const isOld = old.get(name)?.equals(bytes) ?? false;
          const isNew = fresh.get(name)?.equals(bytes) ?? false;
          expect(isOld || isNew, `${where}: ${name} (${bytes.length} bytes) is torn: neither version`).toBe(true);
          if ((FEEDS as readonly string[]).includes(name)) seen.add(isOld ? "old" : "new");
        }
        if (freshState || oldState) {
          const state = await readFile(stateFile).catch(() => undefined);
          expect(state, `${where}: the build state is gone`).toBeDefined();
          expect(
            (oldState && state?.equals(oldState)) || (freshState && state?.equals(freshState)),
            `${where}: .wirefeed/state.json is torn`,
          ).toBeTruthy();
        }

        // Nothing else appears but temp files; the placed files are untouched.
        const files = await listFiles(dist);
        const temps = files.filter(isTemp);
        const expected = [...names, ...Object.keys(PLACED)].sort();
        expect(files.filter((name) => !isTemp(name) && !expected.includes(name)), `${where}: unexpected files in dist/`).toEqual([]);
        // A temp file never passes for a feed: a server types files by their extension.
        for (const temp of temps) expect(temp).not.toMatch(/\.(xml|json|html|opml)$/);
        for (const [name, bytes] of Object.entries(PLACED)) {
          expect((await readFile(path.join(dist, name))).equals(bytes), `${where}: dist/${name} untouched`).toBe(true);
        }
        tempCounts.push(temps.length);

        if (!killed) {
          outcomes.completed++;
          expect([...seen], `${where}: a finished build leaves the new version`).toEqual(["new"]);
          continue;
        }
        kills++;
        killsByPlan[plan.kind as "after-ms" | "on-event"]++;
        if (seen.size === 2) outcomes.mixed++;
        else outcomes[[...seen][0] as Version]++;
      }

      // One more build, run to the end: the new version again, and what is left over.
      const last = await runCli(site, { kind: "none" });
      expect(last.code, last.stderr).toBe(0);
      for (const feed of FEEDS) expect((await readFile(path.join(dist, feed))).equals(fresh.get(feed) as Buffer)).toBe(true);
      const leftovers = [...(await listFiles(dist)), ...(await listFiles(path.join(site, ".wirefeed")))].filter(isTemp);

      const size = (files: Map<string, Buffer>) => FEEDS.map((feed) => files.get(feed)?.length).join("/");
      console.log(
        [
          `[atomic-write] seed=${SEED} articles=${ARTICLES}; rss/atom/json bytes old=${size(old)} new=${size(fresh)}; files checked: ${names.join(", ")}`,
          `[atomic-write] calibration: build ${Math.round(calibration.ms)} ms; writing dist/ from ${Math.round(calibration.firstEventMs ?? 0)} to ${Math.round(calibration.lastEventMs ?? 0)} ms (${calibration.events} fs events)`,
          `[atomic-write] runs=${runs} kills=${kills} (at a random instant: ${killsByPlan["after-ms"]}, on a write event: ${killsByPlan["on-event"]}); finished before the kill: ${outcomes.completed}; ${(childMs / 1000).toFixed(1)} s in these children`,
          `[atomic-write] feeds after a kill: all old=${outcomes.old}, all new=${outcomes.new}, some old some new=${outcomes.mixed}; torn=0`,
          `[atomic-write] temp files in dist/ after each run: ${tempCounts.join(",")}; after a final full build: ${leftovers.length}`,
          `[atomic-write] total ${((performance.now() - started) / 1000).toFixed(1)} s`,
        ].join("\n"),
      );

      expect(kills, "enough runs ended in SIGKILL").toBeGreaterThanOrEqual(30);
      // The kills really landed mid-build: some before the first rename, some after.
      expect(outcomes.old, "a kill that left the old feeds").toBeGreaterThanOrEqual(1);
      expect(outcomes.new + outcomes.mixed, "a kill that left (some of) the new feeds").toBeGreaterThanOrEqual(1);
    },
    180_000,
  );
});

describe("a write cut short (issue 7: a document written in pieces)", () => {
  // write(2) may write less than asked without an error (a full disk, a quota, a file-size
  // limit); a writer that ignored the count would fsync, rename and report a truncated file.
  for (const mode of ["parts", "whole"] as const) {
    it(`fails and leaves no file behind (${mode})`, async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), "wirefeed-short-"));
      try {
        const script = path.join(repoRoot, "test/support/stage-document.ts");
        // ulimit -f counts 1,024-byte blocks: 2,700 of them is less than the 3,000,000 bytes staged.
        const run = spawnSync("bash", ["-c", 'ulimit -f 2700 && exec "$0" --import tsx "$1" "$2" "$3"', process.execPath, script, dir, mode], {
          cwd: repoRoot,
          encoding: "utf8",
        });
        const outcome = JSON.parse(run.stdout) as { written?: string[]; error?: string };
        expect(outcome.written).toBeUndefined();
        expect(outcome.error).toMatch(/EFBIG|file too large/i);
        expect(await readdir(dir)).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
