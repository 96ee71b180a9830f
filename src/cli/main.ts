import { parseArgs } from "node:util";
import { WirefeedError, formatDiagnostic, formatError } from "../errors.ts";
import { build } from "../pipeline.ts";
import type { CliIo } from "./io.ts";

export const VERSION = "0.1.0";

/** Exit codes: 0 success, 1 content problems, 2 usage or config problems. */
const EXIT_FOR: Record<WirefeedError["code"], number> = {
  USAGE: 2,
  CONFIG_MISSING: 2,
  CONFIG_INVALID: 2,
  ARTICLES_MISSING: 2,
  CONTENT_INVALID: 1,
  GATE_FAILED: 1,
  OUTPUT_UNWRITABLE: 1,
};

const HELP = `Usage: wirefeed <command> [options]

Commands:
  build     Build dist/rss.xml, dist/atom.xml and dist/feed.json from articles/

Options for build:
  --config FILE      Config file (default: wirefeed.config.ts in the current folder)
  --articles DIR     Folder of Markdown articles (overrides articlesDir)
  --out DIR          Output folder (overrides outDir)
  --site-url URL     Site URL, path allowed (overrides siteUrl)
  --now ISO-8601     Build instant, e.g. 2025-05-04T00:00:00Z (default: SOURCE_DATE_EPOCH, else the clock)
  --drafts           Include articles with draft: true
  --future           Include articles dated after --now

  -h, --help         Show this help
  -v, --version      Show the version

Examples:
  wirefeed build
  wirefeed build --site-url https://staging.example.com/blog/ --out public
  SOURCE_DATE_EPOCH=1746316800 wirefeed build
`;

/** Parse `--now`, else SOURCE_DATE_EPOCH, else undefined (the clock). */
export function resolveNow(flag: string | undefined, env: CliIo["env"]): Date | undefined {
  if (flag !== undefined) {
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
    const date = new Date(flag);
    if (!iso.test(flag) || Number.isNaN(date.getTime())) {
      throw new WirefeedError("USAGE", `expected an ISO 8601 instant with an offset, like 2025-05-04T00:00:00Z, got ${JSON.stringify(flag)}`, {
        field: "--now",
      });
    }
    return date;
  }
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== "") {
    if (!/^\d+$/.test(epoch)) {
      throw new WirefeedError("USAGE", `expected whole seconds since 1970, got ${JSON.stringify(epoch)}`, {
        field: "SOURCE_DATE_EPOCH",
      });
    }
    return new Date(Number(epoch) * 1000);
  }
  return undefined;
}

async function runBuild(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: "string" },
      articles: { type: "string" },
      out: { type: "string" },
      "site-url": { type: "string" },
      now: { type: "string" },
      drafts: { type: "boolean", default: false },
      future: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const now = resolveNow(values.now, io.env);
  const result = await build({
    cwd: io.cwd,
    ...(values.config ? { configPath: values.config } : {}),
    overrides: { siteUrl: values["site-url"], articlesDir: values.articles, outDir: values.out },
    ...(now ? { now } : {}),
    drafts: values.drafts,
    future: values.future,
  });
  for (const diagnostic of result.diagnostics) io.stderr(`${formatDiagnostic(diagnostic)}\n`);
  for (const file of result.files) {
    const state = result.written.includes(file.path) ? "wrote" : "unchanged";
    io.stderr(`${state} ${file.path} (${result.model.items.length} items, ${Buffer.byteLength(file.contents)} bytes)\n`);
  }
  return 0;
}

/** The CLI: argv in, exit code out. The only place that prints errors or chooses exit codes. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "-h" || command === "--help" || command === "help") {
      io.stdout(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === "-v" || command === "--version") {
      io.stdout(`${VERSION}\n`);
      return 0;
    }
    if (command === "build") return await runBuild(rest, io);
    throw new WirefeedError("USAGE", `unknown command ${JSON.stringify(command)}`, { hint: "run wirefeed --help" });
  } catch (error) {
    if (error instanceof WirefeedError) {
      io.stderr(`${formatError(error)}\n`);
      return EXIT_FOR[error.code];
    }
    if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`error: ${(error as Error).message}\nhint: run wirefeed ${command} --help\n`);
      return 2;
    }
    io.stderr(`This is a bug in wirefeed; please report it with the text below.\n${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
