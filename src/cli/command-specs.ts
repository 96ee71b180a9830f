/** One option of a command: the parser and the help text both come from here. */
export interface FlagSpec {
  name: string;
  type: "string" | "boolean";
  short?: string;
  /** Placeholder of the value in help: `URL`, `N`. */
  value?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  usage: string;
  /** What the command does, in a few lines. */
  description: string;
  /** Positional arguments: shown in help; a command without any refuses them. */
  positionals?: { name: string; description: string };
  flags: FlagSpec[];
  examples: string[];
}

const config: FlagSpec = { name: "config", type: "string", value: "FILE", description: "Config file (default: wirefeed.config.ts in the current folder)" };
const articles: FlagSpec = { name: "articles", type: "string", value: "DIR", description: "Folder of Markdown articles (overrides articlesDir)" };
const out: FlagSpec = { name: "out", type: "string", value: "DIR", description: "Output folder (overrides outDir)" };
const siteUrl: FlagSpec = { name: "site-url", type: "string", value: "URL", description: "Site URL, path allowed (overrides siteUrl)" };
const now: FlagSpec = {
  name: "now",
  type: "string",
  value: "ISO-8601",
  description: "Build instant, e.g. 2025-05-04T00:00:00Z (default: SOURCE_DATE_EPOCH, else the clock)",
};
const drafts: FlagSpec = { name: "drafts", type: "boolean", description: "Include articles with draft: true" };
const future: FlagSpec = { name: "future", type: "boolean", description: "Include articles dated after --now" };
const help: FlagSpec = { name: "help", type: "boolean", short: "h", description: "Show this help" };
const noCache: FlagSpec = { name: "no-cache", type: "boolean", description: "A full build: read and render every article and generate every feed afresh; neither read nor write .wirefeed-cache/" };

/** Every command, in the order `wirefeed --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "new",
    summary: "Create articles/<date>-<slug>.md with its front matter filled in",
    usage: "wirefeed new \"Headline\" [options]",
    description:
      "Writes a new article with today's date in the site's time zone, a permanent id, and empty\n" +
      "summary and tags, then prints its path. It never overwrites a file.",
    positionals: { name: "\"Headline\"", description: "The article's title (quote it)" },
    flags: [
      { name: "tags", type: "string", value: "a,b", description: "Comma-separated tags" },
      { name: "draft", type: "boolean", description: "Mark it draft: true (left out of the feeds until you remove it)" },
      { name: "slug", type: "string", value: "SLUG", description: "File and URL name (default: from the headline)" },
      config,
      articles,
      now,
      help,
    ],
    examples: [
      'wirefeed new "Mexico rejects U.S. troops"',
      'wirefeed new "Election night live" --tags politics,mexico --draft',
      '$EDITOR "$(wirefeed new "Hello")"',
    ],
  },
  {
    name: "build",
    summary: "Build dist/rss.xml, dist/atom.xml and dist/feed.json from articles/",
    usage: "wirefeed build [options]",
    description:
      "Checks every article, then writes the feeds. Nothing is written when an article has an error.\n" +
      "The summary lists each file and the articles added, changed or removed since the last build.",
    flags: [
      config,
      articles,
      out,
      siteUrl,
      now,
      drafts,
      future,
      noCache,
      { name: "quiet", type: "boolean", short: "q", description: "Print errors only" },
      { name: "verbose", type: "boolean", description: "Also print the config, the build instant and each item's id" },
      { name: "json", type: "boolean", description: "Print the summary as one JSON object on stdout (for CI)" },
      { name: "exit-code", type: "boolean", description: "Exit 3 when no file changed (0 when something did), so CI can skip the deploy" },
      {
        name: "previous",
        type: "string",
        value: "DIR|URL",
        description: "The feeds published now (a restored dist/ or the site URL): fail if a published id would change",
      },
      { name: "allow-id-change", type: "boolean", description: "With --previous: let items change their ids" },
      help,
    ],
    examples: [
      "wirefeed build",
      "wirefeed build --exit-code --previous https://news.example.com/",
      "wirefeed build --site-url https://staging.example.com/blog/ --out public",
      "wirefeed build --json > build.json",
      "SOURCE_DATE_EPOCH=1746316800 wirefeed build",
    ],
  },
  {
    name: "check",
    summary: "Validate the articles and the feeds, or any RSS, Atom or JSON Feed file",
    usage: "wirefeed check [FILE_OR_DIR…] [options]",
    description:
      "Without paths: checks the articles (writing nothing) and the feeds built in dist/.\n" +
      "With paths: checks those feed files, wherever they came from. One line per finding:\n" +
      "severity, code, file:line, item, message. Exit code 1 when there is an error.",
    positionals: { name: "FILE_OR_DIR…", description: "Feed files, or folders of them" },
    flags: [
      { name: "strict", type: "boolean", description: "Count warnings as errors" },
      { name: "json", type: "boolean", description: "Print the findings as one JSON object on stdout" },
      { ...siteUrl, description: "Site URL; with paths, the files' self links must be under it (FILE → URL/FILE)" },
      config,
      articles,
      out,
      { ...now, description: "Check instant: later dates are \"in the future\" (default: SOURCE_DATE_EPOCH, else the clock)" },
      drafts,
      future,
      help,
    ],
    examples: [
      "wirefeed check",
      "wirefeed check --strict",
      "wirefeed check downloaded/feed.xml",
      "wirefeed check public/ --site-url https://example.com/",
    ],
  },
  {
    name: "preview",
    summary: "Build, serve dist/ on http://127.0.0.1 and rebuild on every change",
    usage: "wirefeed preview [options]",
    description:
      "Serves the feeds and a page that lists them and the articles. Editing an article or the\n" +
      "config rebuilds and reloads the page; an error shows in the terminal and on the page while\n" +
      "the last good build stays served. Only 127.0.0.1 is used. Stop it with Ctrl-C.",
    flags: [
      { name: "port", type: "string", value: "N", description: "Port on 127.0.0.1 (default 8080; 0 picks a free one)" },
      config,
      articles,
      out,
      siteUrl,
      now,
      drafts,
      future,
      help,
    ],
    examples: ["wirefeed preview", "wirefeed preview --port 3000 --drafts"],
  },
  {
    name: "schedule",
    summary: "List scheduled and expiring articles, or print when the feeds next change",
    usage: "wirefeed schedule [options]",
    description:
      "Lists every article that will be published or will expire after --now, soonest first, with\n" +
      "its instant in the site's time zone and in UTC. With --next, prints only the next instant at\n" +
      "which a build would change the feeds (ISO 8601), or nothing, so a workflow can skip a run.",
    flags: [
      { name: "next", type: "boolean", description: "Print only the next instant the output changes, or nothing" },
      { name: "json", type: "boolean", description: "Print the list as one JSON object on stdout" },
      config,
      articles,
      now,
      help,
    ],
    examples: ["wirefeed schedule", "wirefeed schedule --next", 'test -n "$(wirefeed schedule --next)" && echo "something is due later"'],
  },
  {
    name: "ping",
    summary: "Tell the WebSub hubs which feeds changed (run it after deploying)",
    usage: "wirefeed ping [options]",
    description:
      "POSTs hub.mode=publish&hub.url=<feed URL> to every hub in the config's hubs, for each feed in\n" +
      "the output folder whose bytes changed since the last ping (recorded in --state), or for the\n" +
      "URLs given with --changed. Never pings when nothing changed. One retry with backoff per ping;\n" +
      "exit code 1 only when every hub failed.",
    flags: [
      { name: "state", type: "string", value: "FILE", description: "Where the hashes of the last ping are kept (default .wirefeed/ping.json)" },
      { name: "changed", type: "string", value: "URL,…", description: "Ping exactly these feed URLs (e.g. from build --json) instead of comparing hashes" },
      { name: "timeout", type: "string", value: "MS", description: "Time allowed for one request (default 10000)" },
      config,
      out,
      siteUrl,
      { ...now, description: "The instant the deployed build used (default: SOURCE_DATE_EPOCH, else the clock)" },
      help,
    ],
    examples: [
      "wirefeed ping",
      "wirefeed ping --changed https://news.example.com/rss.xml",
      "wirefeed ping --changed \"$(wirefeed build --json | jq -r '[.files[] | select(.state == \"written\" and .items != null) | .url] | join(\",\")')\"",
    ],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
