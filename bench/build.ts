/**
 * The benchmark (issue 7): wirefeed's builds side by side with the naive script and the floors.
 *
 *   npm run bench -- [--sizes 1000,10000] [--runs 5] [--json FILE] [--svg FILE]
 *                    [--seed N] [--timeout SECONDS] [--only a,b] [--keep]
 *
 * For each size it generates a seeded corpus once, then runs every variant `runs` times, one
 * child process per run, round-robin (so drift on the machine hits every variant alike). It
 * prints a table of medians on stdout, progress on stderr, and writes a JSON report and an SVG
 * chart (by default bench/results/latest.json and latest.svg). A variant that fails is recorded
 * and skipped for the rest of that size; the exit code is 1 when anything failed.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { CORPUS_NOW, DEFAULT_SEED, generateCorpus } from "./generate-corpus.ts";
import { renderChart } from "./render-chart.ts";
import { runChild } from "./run-child.ts";
import { compileScripts } from "./compile-scripts.ts";
import { type BenchReport, type CorpusInfo, type MachineInfo, type RunRecord, type VariantResult, formatTable, summarize } from "./summarize.ts";
import { type SizeContext, VARIANTS, type VariantKey, type VariantRunner, SetupError, createRunners, detectNoCache } from "./variants.ts";

const REPO = path.resolve(import.meta.dirname, "..");
const RESULTS = path.join(import.meta.dirname, "results");

const HELP = `Usage: npm run bench -- [options]

  --sizes N,N,…      corpus sizes (default 1000,10000)
  --runs N           measured runs per variant and size; medians are reported (default 5)
  --json FILE        JSON report (default bench/results/latest.json)
  --svg FILE         SVG chart of wall time against N (default bench/results/latest.svg)
  --seed N           corpus seed (default ${DEFAULT_SEED})
  --timeout SECONDS  per child process; a variant that times out is skipped at larger sizes (default 900)
  --only KEYS        only these variants: ${VARIANTS.map((variant) => variant.key).join(", ")}
  --keep             keep the temp folder with the corpora and outputs

The corpora and every variant's output go to a folder under $TMPDIR (os.tmpdir()). wirefeed
fsyncs every file it writes, so that folder's disk shows in wall times; other work on the machine
does too (each run records the load average).
`;

interface Options {
  sizes: number[];
  runs: number;
  json: string;
  svg: string;
  seed: number;
  timeoutSeconds: number;
  only: Set<VariantKey>;
  keep: boolean;
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) throw new Error(`${flag}: expected a positive whole number, got ${JSON.stringify(text)}`);
  return value;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string", default: "1000,10000" },
      runs: { type: "string", default: "5" },
      json: { type: "string", default: path.join(RESULTS, "latest.json") },
      svg: { type: "string", default: path.join(RESULTS, "latest.svg") },
      seed: { type: "string", default: String(DEFAULT_SEED) },
      timeout: { type: "string", default: "900" },
      only: { type: "string" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return undefined;
  const known = new Set<string>(VARIANTS.map((variant) => variant.key));
  const only = (values.only ?? [...known].join(",")).split(",").map((key) => key.trim());
  const unknown = only.filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`--only: unknown variant ${unknown.join(", ")}; known: ${[...known].join(", ")}`);
  return {
    sizes: [...new Set(values.sizes.split(",").map((size) => positiveInteger(size, "--sizes")))].sort((a, b) => a - b),
    runs: positiveInteger(values.runs, "--runs"),
    json: path.resolve(values.json),
    svg: path.resolve(values.svg),
    seed: positiveInteger(values.seed, "--seed"),
    timeoutSeconds: positiveInteger(values.timeout, "--timeout"),
    only: new Set(only as VariantKey[]),
    keep: values.keep,
  };
}

function machineInfo(): MachineInfo {
  let commit: string | undefined;
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: REPO, encoding: "utf8" }).trim() !== "";
    commit = `${head}${dirty ? "+dirty" : ""}`;
  } catch {
    // Not a git checkout (a tarball): the report simply has no commit.
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
    ...(commit ? { commit } : {}),
  };
}

const log = (text: string) => process.stderr.write(`${text}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Generate one size's corpus and run every selected variant on it. */
async function measureSize(n: number, options: Options, tmp: string, report: BenchReport, hasNoCache: boolean, timedOut: Set<VariantKey>): Promise<void> {
  log(`N = ${n}: generating the corpus (seed ${options.seed})`);
  const started = performance.now();
  const corpus = await generateCorpus({ dir: path.join(tmp, `n${n}`, "corpus"), count: n, seed: options.seed });
  const sizes = corpus.articles.map((article) => article.bytes);
  const info: CorpusInfo = {
    n,
    seed: options.seed,
    totalBytes: corpus.totalBytes,
    meanBytes: Math.round(corpus.totalBytes / n),
    minBytes: Math.min(...sizes),
    maxBytes: Math.max(...sizes),
    generateMs: Math.round(performance.now() - started),
  };
  report.corpora.push(info);
  log(`N = ${n}: ${(info.totalBytes / 2 ** 20).toFixed(1)} MB, ${(info.meanBytes / 1024).toFixed(1)} KB mean, in ${secs(info.generateMs)}`);

  const ctx: SizeContext = { n, dir: path.join(tmp, `n${n}`), corpus, now: CORPUS_NOW, hasNoCache, timeoutMs: options.timeoutSeconds * 1000 };
  const runners = createRunners(ctx).filter((runner) => options.only.has(runner.info.key));
  const resultOf = new Map<VariantKey, VariantResult>();
  const active: VariantRunner[] = [];
  for (const runner of runners) {
    const result: VariantResult = { variant: runner.info.key, label: runner.info.label, n, runs: [], errors: [] };
    resultOf.set(runner.info.key, result);
    report.results.push(result);
    if (timedOut.has(runner.info.key)) {
      result.errors.push("skipped: it timed out at a smaller N");
      continue;
    }
    try {
      await runner.setup();
      active.push(runner);
    } catch (error) {
      if (error instanceof SetupError && error.timedOut) timedOut.add(runner.info.key);
      result.errors.push(`setup: ${(error as Error).message}`);
      log(`N = ${n}: ${runner.info.label}: setup failed: ${(error as Error).message}`);
    }
  }

  for (let run = 1; run <= options.runs; run++) {
    for (const runner of [...active]) {
      const result = resultOf.get(runner.info.key) as VariantResult;
      const prefix = `N = ${n} run ${run}/${options.runs} ${runner.info.label}`;
      const drop = (why: string) => {
        result.errors.push(why);
        active.splice(active.indexOf(runner), 1);
        log(`${prefix}: ${why}`);
      };
      try {
        await runner.before(run);
      } catch (error) {
        drop(`run ${run}: preparing failed: ${(error as Error).message}`);
        continue;
      }
      const loadBefore = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
      const measured = await runChild(runner.command(), { timeoutMs: ctx.timeoutMs });
      const record: RunRecord = {
        run,
        ok: measured.ok,
        loadBefore,
        wallMs: Math.round(measured.wallMs * 10) / 10,
        ...(measured.cpuMs !== undefined ? { cpuMs: Math.round(measured.cpuMs * 10) / 10 } : {}),
        ...(measured.maxRssKB !== undefined ? { maxRssKB: measured.maxRssKB } : {}),
        ...(measured.error ? { error: measured.error, stderrTail: measured.stderrTail } : {}),
      };
      result.runs.push(record);
      if (!measured.ok) {
        if (measured.timedOut) timedOut.add(runner.info.key);
        drop(`run ${run}: ${measured.error ?? "failed"}; its remaining runs at this N are skipped`);
        continue;
      }
      // A wrong result keeps its timing (the work was done) but fails the bench.
      const problems = await runner.verify(run).catch((error: Error) => [`the check itself failed: ${error.message}`]);
      for (const problem of problems) result.errors.push(`run ${run}: ${problem}`);
      const usage = `${secs(record.wallMs)} wall, ${secs(record.cpuMs ?? 0)} CPU, ${((record.maxRssKB ?? 0) / 1024).toFixed(0)} MB (load ${loadBefore})`;
      log(`${prefix}: ${usage}${problems.length ? `; CHECK FAILED: ${problems.join("; ")}` : ""}`);
    }
  }
}

async function writeReport(report: BenchReport, options: Options): Promise<void> {
  await mkdir(path.dirname(options.json), { recursive: true });
  await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
  await mkdir(path.dirname(options.svg), { recursive: true });
  await writeFile(options.svg, renderChart(report));
}

async function main(argv: string[]): Promise<number> {
  let options: Options | undefined;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (!options) {
    process.stdout.write(HELP);
    return 0;
  }
  if (options.runs < 5) log(`note: ${options.runs} run(s) per variant; the issue asks for at least 5 before quoting a median`);

  const tmp = await mkdtemp(path.join(os.tmpdir(), "wirefeed-bench-"));
  // Ctrl-C: children get the signal too; take the temp corpora with us.
  const onInterrupt = () => {
    if (!options.keep) rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", onInterrupt);

  const report: BenchReport = {
    machine: machineInfo(),
    options: { sizes: options.sizes, runs: options.runs, seed: options.seed, now: CORPUS_NOW, timeoutSeconds: options.timeoutSeconds },
    variants: VARIANTS.filter((variant) => options.only.has(variant.key)),
    corpora: [],
    results: [],
    ok: true,
  };
  try {
    log("compiling the CLI (lib/) and the baseline scripts");
    await compileScripts();
    const hasNoCache = await detectNoCache();
    log(`temp folder ${tmp}; wirefeed build ${hasNoCache ? "has" : "has no"} --no-cache`);
    const timedOut = new Set<VariantKey>();
    for (const n of options.sizes) {
      await measureSize(n, options, tmp, report, hasNoCache, timedOut);
      summarize(report.results);
      report.ok = report.results.every((result) => result.errors.length === 0 && result.median !== undefined);
      // After every size, so that a long run that is stopped still leaves what it measured.
      await writeReport(report, options);
    }
  } finally {
    process.off("SIGINT", onInterrupt);
    if (options.keep) log(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }

  const { machine } = report;
  process.stdout.write(
    `${machine.cpu}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GB, Node ${machine.node}, ` +
      `${machine.platform}; median of ${options.runs} run(s)${machine.commit ? `; wirefeed ${machine.commit}` : ""}; ` +
      `load average ${machine.loadAverage.join(" ")} at the start\n\n`,
  );
  process.stdout.write(formatTable(report.results));
  log(`wrote ${path.relative(process.cwd(), options.json) || options.json} and ${path.relative(process.cwd(), options.svg) || options.svg}`);
  if (!report.ok) log("FAILED: some variant failed or a check did not pass; see the note column and the JSON report");
  return report.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
