import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { main } from "../src/cli/main.ts";
import type { ConfigInput } from "../src/config/schema.ts";

/** The instant every test builds at, unless it says otherwise. */
export const FIXED_NOW = "2026-01-01T00:00:00Z";

/** A small valid site config; tests override what they exercise. */
export const BASE_CONFIG: ConfigInput = {
  title: "Test Site",
  description: "A site for tests.",
  siteUrl: "https://example.com/blog/",
  idAuthority: "example.com,2025",
  language: "en",
  timeZone: "America/Mexico_City",
  author: { name: "Ana Pérez", email: "ana@example.com" },
};

const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temp folder, removed after the test file. */
export async function makeTempDir(prefix = "wirefeed-test-"): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Front matter + body as an article file's text. Values are written as JSON, which YAML reads. */
export function article(data: Record<string, unknown>, body = "Body text.\n"): string {
  const lines = Object.entries(data).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return `---\n${lines.join("\n")}\n---\n\n${body}`;
}

/**
 * A site in a temp folder: `wirefeed.config.ts` from `config` (merged over BASE_CONFIG; pass a
 * string for the file's exact text) and every file in `files` (paths relative to the site).
 */
export async function makeTempSite(
  files: Record<string, string | Buffer>,
  config: Partial<ConfigInput> | string = {},
): Promise<string> {
  const dir = await makeTempDir();
  const configText =
    typeof config === "string" ? config : `export default ${JSON.stringify({ ...BASE_CONFIG, ...config }, null, 2)};\n`;
  await writeFile(path.join(dir, "wirefeed.config.ts"), configText);
  await mkdir(path.join(dir, "articles"), { recursive: true });
  for (const [name, contents] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), contents);
  }
  return dir;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process, as `wirefeed …` in `cwd`. */
export async function runCli(argv: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: options.env ?? {},
    cwd: options.cwd,
    isTTY: false,
  });
  return { code, stdout, stderr };
}

/** Every file under a folder with its bytes, for "nothing changed" assertions. */
export async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (current: string) => {
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out[path.relative(dir, full)] = (await readFile(full)).toString("base64");
    }
  };
  await walk(dir);
  return out;
}

/** Build a site with the CLI at FIXED_NOW and return the three feeds' text. */
export async function buildFeeds(dir: string, extraArgs: string[] = []): Promise<{ rss: string; atom: string; json: string; run: CliRun }> {
  const run = await runCli(["build", "--now", FIXED_NOW, ...extraArgs], { cwd: dir });
  if (run.code !== 0) throw new Error(`build failed (${run.code}):\n${run.stderr}`);
  const outIndex = extraArgs.indexOf("--out");
  const out = path.join(dir, outIndex >= 0 ? (extraArgs[outIndex + 1] as string) : "dist");
  const read = (name: string) => readFile(path.join(out, name), "utf8");
  return { rss: await read("rss.xml"), atom: await read("atom.xml"), json: await read("feed.json"), run };
}
