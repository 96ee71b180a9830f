import { type ParseArgsConfig, parseArgs } from "node:util";
import { WirefeedError } from "../errors.ts";
import { COMMANDS, type CommandSpec } from "./command-specs.ts";
import { suggestClosest } from "./suggest.ts";

export interface ParsedFlags {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

function optionsOf(command: CommandSpec): NonNullable<ParseArgsConfig["options"]> {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const flag of command.flags) options[flag.name] = flag.short ? { type: flag.type, short: flag.short } : { type: flag.type };
  return options;
}

/**
 * node:util parseArgs, with messages for people: an unknown option gets the closest known one
 * ("did you mean --site-url?") or the command it belongs to; a missing value gets an example.
 */
export function parseFlags(command: CommandSpec, args: readonly string[]): ParsedFlags {
  const options = optionsOf(command);
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const known = command.flags.map((flag) => flag.name);
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (known.includes(token.name) || command.flags.some((flag) => flag.short === token.name)) continue;
    const typed = token.rawName;
    const near = typed.startsWith("--") ? suggestClosest(token.name, known) : undefined;
    const owners = COMMANDS.filter((other) => other !== command && other.flags.some((flag) => flag.name === token.name)).map((other) => other.name);
    const hint = near
      ? `did you mean --${near}?`
      : owners.length > 0
        ? `${typed} is an option of wirefeed ${owners.join(" and wirefeed ")}; see wirefeed ${command.name} --help`
        : `see wirefeed ${command.name} --help for the options`;
    throw new WirefeedError("USAGE", `unknown option ${typed} for wirefeed ${command.name}`, { hint });
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: command.positionals !== undefined });
  } catch (error) {
    throw toUsageError(command, error as Error & { code?: string });
  }
  return { values: parsed.values as ParsedFlags["values"], positionals: parsed.positionals };
}

function toUsageError(command: CommandSpec, error: Error & { code?: string }): Error {
  const hint = `see wirefeed ${command.name} --help`;
  const missing = /^Option '(-\w, )?--([\w-]+) <value>' argument missing/.exec(error.message);
  if (missing) {
    const flag = command.flags.find((candidate) => candidate.name === missing[2]);
    return new WirefeedError("USAGE", `--${missing[2]} needs a value${flag?.value ? ` (${flag.value})` : ""}`, { hint });
  }
  const noValue = /^Option '(-\w, )?--([\w-]+)' does not take an argument/.exec(error.message);
  if (noValue) return new WirefeedError("USAGE", `--${noValue[2]} is a switch and takes no value`, { hint });
  const positional = /^Unexpected argument '(.*)'/.exec(error.message);
  if (positional) {
    const near = suggestClosest(positional[1] as string, COMMANDS.map((candidate) => candidate.name));
    return new WirefeedError("USAGE", `wirefeed ${command.name} takes no arguments, got ${JSON.stringify(positional[1])}`, {
      hint: near && near !== command.name ? `did you mean wirefeed ${near}?` : hint,
    });
  }
  if (error.code?.startsWith("ERR_PARSE_ARGS")) return new WirefeedError("USAGE", error.message, { hint });
  return error;
}
