import { COMMANDS, type CommandSpec, type FlagSpec } from "./command-specs.ts";

function flagLabel(flag: FlagSpec): string {
  const long = `--${flag.name}${flag.value ? ` ${flag.value}` : ""}`;
  return flag.short ? `-${flag.short}, ${long}` : `    ${long}`;
}

function renderFlags(flags: readonly FlagSpec[]): string {
  const width = Math.max(...flags.map((flag) => flagLabel(flag).length)) + 2;
  return flags.map((flag) => `  ${flagLabel(flag).padEnd(width)}${flag.description}`).join("\n");
}

/** `wirefeed <command> --help`. */
export function renderCommandHelp(command: CommandSpec): string {
  const parts = [`Usage: ${command.usage}`, "", command.description, ""];
  if (command.positionals) parts.push("Arguments:", `  ${command.positionals.name.padEnd(16)}${command.positionals.description}`, "");
  parts.push("Options:", renderFlags(command.flags), "", "Examples:", ...command.examples.map((example) => `  ${example}`), "");
  return parts.join("\n");
}

/** `wirefeed --help`: enough for a new user to create, build, check and preview an article. */
export function renderMainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 4;
  return [
    `wirefeed ${version}: publish Markdown articles as RSS 2.0, Atom 1.0 and JSON Feed 1.1`,
    "",
    "Usage: wirefeed <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    "",
    "Options:",
    "  -h, --help       Show help; wirefeed <command> --help shows a command's options",
    "  -v, --version    Show the version",
    "",
    "Getting started:",
    "  1. Create wirefeed.config.ts in your site's folder:",
    "       export default {",
    '         title: "My News", description: "News from my newsroom.",',
    '         siteUrl: "https://example.com/", idAuthority: "example.com,2025",',
    '         timeZone: "America/Mexico_City", author: { name: "Ana", email: "ana@example.com" },',
    "       };",
    '  2. wirefeed new "My first story"     writes articles/<today>-my-first-story.md; edit it',
    "  3. wirefeed build                    writes dist/rss.xml, dist/atom.xml, dist/feed.json",
    "  4. wirefeed check                    validates the articles and the feeds",
    "  5. wirefeed preview                  serves them on http://127.0.0.1:8080/ with live reload",
    "",
    "Exit codes: 0 success, 1 problems in the content or the feeds, 2 usage or config errors,\n" +
      "            3 nothing changed (build --exit-code).",
    "Environment: SOURCE_DATE_EPOCH sets the build instant; NO_COLOR turns colour off.",
    "",
  ].join("\n");
}
