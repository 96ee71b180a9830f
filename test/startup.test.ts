/**
 * The compiled CLI (issue 7, "Startup"): lib/wirefeed.mjs, made by scripts/compile-cli.mjs, is
 * what package.json "bin" runs. It must answer like the tsx CLI, build the same bytes, and answer
 * --version and --help without loading tsx or any other package. No timings here: start-up time
 * is measured outside the tests.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXED_NOW, article, makeTempDir, makeTempSite, runCli, snapshotDir } from "./helpers.ts";

const REPO = path.resolve(import.meta.dirname, "..");
const COMPILED = path.join(REPO, "lib/wirefeed.mjs");
const GOLDEN = path.join(REPO, "test/golden/sample");

/** Run the compiled CLI in a child process. */
function runCompiled(args: string[], options: { cwd?: string; nodeArgs?: string[]; timeout?: number } = {}) {
  const child = spawnSync(process.execPath, [...(options.nodeArgs ?? []), COMPILED, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: "1" },
    encoding: "utf8",
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** The repo's sample site (wirefeed.config.ts + articles/) in a temp folder. */
async function copySampleSite(): Promise<string> {
  const dir = await makeTempDir("wirefeed-startup-");
  await cp(path.join(REPO, "articles"), path.join(dir, "articles"), { recursive: true });
  await cp(path.join(REPO, "wirefeed.config.ts"), path.join(dir, "wirefeed.config.ts"));
  return dir;
}

/**
 * `node --import <this> …` records the URL of every module the child resolves, one a line, in
 * the file `log`: module hooks run in their own thread and see every static and dynamic import.
 */
async function writeModuleRecorder(dir: string, log: string): Promise<string> {
  const hooks = path.join(dir, "record-hooks.mjs");
  await writeFile(
    hooks,
    [
      'import { appendFileSync } from "node:fs";',
      "let log;",
      "export async function initialize(data) { log = data.log; }",
      "export async function resolve(specifier, context, nextResolve) {",
      "  const result = await nextResolve(specifier, context);",
      '  appendFileSync(log, `${result.url}\\n`);',
      "  return result;",
      "}",
      "",
    ].join("\n"),
  );
  const register = path.join(dir, "register.mjs");
  await writeFile(
    register,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log: ${JSON.stringify(log)} } });\n`,
  );
  return pathToFileURL(register).href;
}

describe("the compiled CLI (lib/wirefeed.mjs)", () => {
  beforeAll(() => {
    // Always compiled afresh, so the test never runs a lib/ older than src/.
    execFileSync(process.execPath, [path.join(REPO, "scripts/compile-cli.mjs")], { cwd: REPO, stdio: "pipe" });
  });

  it("is package.json's bin, with a #! line for node", async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ wirefeed: "lib/wirefeed.mjs" });
    expect((await readFile(COMPILED, "utf8")).split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("prints package.json's version and exits 0", async () => {
    const { version } = JSON.parse(await readFile(path.join(REPO, "package.json"), "utf8")) as { version: string };
    const run = runCompiled(["--version"]);
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it.each([["--version"], ["-v"], ["--help"], ["-h"]])("answers %s exactly as main() does", async (flag) => {
    const inProcess = await runCli([flag], { cwd: REPO });
    const compiled = runCompiled([flag]);
    expect(compiled).toEqual({ code: inProcess.code, stdout: inProcess.stdout, stderr: inProcess.stderr });
  });

  it("reports an unknown command like main() does", async () => {
    const inProcess = await runCli(["bulid"], { cwd: REPO });
    const compiled = runCompiled(["bulid"]);
    expect(compiled).toEqual({ code: inProcess.code, stdout: inProcess.stdout, stderr: inProcess.stderr });
  });

  it("builds the sample site (wirefeed.config.ts) to the golden bytes, and to the same dist/ as the source CLI", async () => {
    const compiledSite = await copySampleSite();
    const run = runCompiled(["build", "--now", FIXED_NOW], { cwd: compiledSite });
    expect(run.code, run.stderr).toBe(0);
    for (const name of ["rss.xml", "atom.xml", "feed.json"]) {
      const built = await readFile(path.join(compiledSite, "dist", name));
      expect(built.equals(await readFile(path.join(GOLDEN, name))), `dist/${name} differs from test/golden/sample/${name}`).toBe(true);
    }

    const sourceSite = await copySampleSite();
    const source = await runCli(["build", "--now", FIXED_NOW], { cwd: sourceSite });
    expect(source.code).toBe(0);
    expect(await snapshotDir(path.join(compiledSite, "dist"))).toEqual(await snapshotDir(path.join(sourceSite, "dist")));
  });

  it("loads no package, tsx included, for --version and --help; tsx only for a config that depends on its place", async () => {
    const dir = await makeTempDir("wirefeed-startup-");
    const modulesOf = async (args: string[], cwd: string): Promise<string[]> => {
      const log = path.join(dir, `modules-${args[0]}.log`);
      await writeFile(log, "");
      const run = runCompiled(args, { cwd, nodeArgs: ["--import", await writeModuleRecorder(dir, log)] });
      expect(run.code, run.stderr).toBe(0);
      return (await readFile(log, "utf8")).split("\n").filter(Boolean);
    };

    for (const flag of ["--version", "--help"]) {
      const modules = await modulesOf([flag], REPO);
      // The recorder works: it saw the entry point itself.
      expect(modules).toContain(pathToFileURL(COMPILED).href);
      expect(modules.filter((url) => url.includes("/node_modules/tsx/"))).toEqual([]);
      expect(modules.filter((url) => url.includes("/node_modules/"))).toEqual([]);
    }

    // The sample config imports only a type: compiled once into .wirefeed-cache/config/, it is
    // loaded without tsx, by the first build (which compiles it with esbuild) and by the next.
    const site = await copySampleSite();
    const first = await modulesOf(["build", "--now", FIXED_NOW], site);
    expect(first.filter((url) => url.includes("/node_modules/tsx/"))).toEqual([]);
    expect(first.some((url) => url.includes("/node_modules/esbuild/"))).toBe(true);
    const second = await modulesOf(["build", "--now", FIXED_NOW], site);
    expect(second.filter((url) => url.includes("/node_modules/tsx/") || url.includes("/node_modules/esbuild/"))).toEqual([]);

    // The positive control: a config that depends on its place (import.meta) is loaded through
    // tsx, and the recorder sees it.
    const config = await readFile(path.join(site, "wirefeed.config.ts"), "utf8");
    await writeFile(path.join(site, "wirefeed.config.ts"), `${config}export const place = import.meta.url;\n`);
    const modules = await modulesOf(["build", "--now", FIXED_NOW], site);
    expect(modules.some((url) => url.includes("/node_modules/tsx/"))).toBe(true);
  });

  it("exits with 1, and leaves dist/ as it was, when a build fails with its worker threads running", async () => {
    // 1,600 articles, all in some archive page, with --no-cache: the render workers start once the
    // feeds are planned; 60 tag feeds and 80 archive pages start a document worker. A file where
    // the tag feeds' folder goes makes the write fail while the workers are up. A worker left
    // running would keep the process alive (a scheduled job that never ends); the timeout then
    // kills it, and the exit code is null.
    const files: Record<string, string> = {};
    for (let i = 0; i < 1600; i++) {
      files[`articles/a-${String(i).padStart(4, "0")}.md`] = article({ title: `A ${i}`, date: "2025-01-01T00:00:00Z", slug: `a-${i}`, tags: [`t${i % 60}`] }, `Body ${i}.\n`);
    }
    const dir = await makeTempSite(files, { archive: true, limit: 20, archivePageSize: 20, feeds: { tags: true, sections: false } });
    await mkdir(path.join(dir, "dist"));
    await writeFile(path.join(dir, "dist", "tags"), "not a folder\n");
    const before = await snapshotDir(path.join(dir, "dist"));
    const child = runCompiled(["build", "--no-cache", "--now", FIXED_NOW], { cwd: dir, timeout: 60_000 });
    expect(child.code).toBe(1);
    expect(child.stderr).toContain("cannot write to");
    expect(await snapshotDir(path.join(dir, "dist"))).toEqual(before);

    // A body that is not UTF-8, found only when bodies are read (the file is over 2 KB, so at
    // first only its front matter was), while the render workers run.
    await rm(path.join(dir, "dist", "tags"));
    const head = article({ title: "Bad", date: "2025-01-01T00:00:00Z", slug: "a-0" }, "");
    await writeFile(path.join(dir, "articles", "a-0000.md"), Buffer.concat([Buffer.from(head), Buffer.from(`${"Text. ".repeat(600)}\n`), Buffer.from([0xff, 0xfe, 0x0a])]));
    const bad = runCompiled(["build", "--no-cache", "--now", FIXED_NOW], { cwd: dir, timeout: 60_000 });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("articles/a-0000.md");
    expect(bad.stderr).toContain("not UTF-8");
  }, 90_000);
});
