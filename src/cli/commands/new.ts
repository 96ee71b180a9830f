import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { formatDay } from "../../dates.ts";
import { WirefeedError } from "../../errors.ts";
import { SAFE_SLUG, slugify } from "../../fields.ts";
import { displayPath, loadBuildConfig } from "../build-options.ts";
import { findCommand } from "../command-specs.ts";
import type { CliIo } from "../io.ts";
import { parseFlags } from "../parse-flags.ts";
import { renderCommandHelp } from "../render-help.ts";
import { resolveNow } from "../resolve-now.ts";

/** YAML reads JSON strings, so JSON quoting is a safe way to write any title or tag. */
const quote = (text: string) => JSON.stringify(text);

/** The text of a new article: front matter with every field a writer fills in, and a body to replace. */
export function renderNewArticle(fields: { title: string; date: string; id: string; tags: string[]; draft: boolean }): string {
  const lines = [
    "---",
    `title: ${quote(fields.title)}`,
    `date: ${fields.date}`,
    // Written out, not derived: renaming the file or changing the slug later keeps readers' read state.
    `id: ${quote(fields.id)}`,
    'summary: ""',
    fields.tags.length === 0 ? "tags: []" : `tags:\n${fields.tags.map((tag) => `  - ${quote(tag)}`).join("\n")}`,
    ...(fields.draft ? ["draft: true"] : []),
    "---",
    "",
    "Write the article here, in Markdown. The first paragraph becomes the summary if summary stays empty.",
    "",
  ];
  return lines.join("\n");
}

export async function runNew(args: string[], io: CliIo): Promise<number> {
  const command = findCommand("new");
  if (!command) throw new Error("the new command is not registered");
  const { values, positionals } = parseFlags(command, args);
  if (values.help) {
    io.stdout(renderCommandHelp(command));
    return 0;
  }
  const title = positionals.join(" ").replace(/\s+/g, " ").trim();
  if (!title) {
    throw new WirefeedError("USAGE", "wirefeed new needs a headline", { hint: 'wirefeed new "Mexico rejects U.S. troops"' });
  }
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const now = resolveNow(text("now"), io.env) ?? new Date();
  const configPath = text("config");
  const loaded = await loadBuildConfig({
    cwd: io.cwd,
    ...(configPath ? { configPath } : {}),
    overrides: { articlesDir: text("articles") },
  });
  const { config, root } = loaded;

  const slug = text("slug") ?? slugify(title);
  if (!slug || !SAFE_SLUG.test(slug)) {
    throw new WirefeedError(
      "USAGE",
      text("slug") === undefined
        ? `the headline ${JSON.stringify(title)} gives no usable file name`
        : `expected a slug of letters, digits and - . _ ~, got ${JSON.stringify(slug)}`,
      { field: "--slug", hint: 'pass --slug, e.g. --slug "my-story"' },
    );
  }
  const tags = (text("tags") ?? "").split(",").map((tag) => tag.trim()).filter(Boolean);
  const date = formatDay(now, config.timeZone);
  const dir = path.resolve(root, config.articlesDir);
  const file = path.join(dir, `${date}-${slug}.md`);
  const shown = displayPath(io.cwd, file);

  // The permalink is built from the slug alone unless it has a date in it: two files with the
  // same slug would then make the build refuse both.
  if (!/:(year|month|day)/.test(config.permalink)) {
    const existing = await readdir(dir).catch(() => [] as string[]);
    const twin = existing.find((name) => name !== path.basename(file) && name.replace(/^\d{4}-\d{2}-\d{2}-/, "") === `${slug}.md`);
    if (twin) {
      throw new WirefeedError("OUTPUT_UNWRITABLE", `another article already has the slug ${JSON.stringify(slug)}: ${displayPath(io.cwd, path.join(dir, twin))}`, {
        hint: "choose another headline, or pass --slug",
      });
    }
  }

  await mkdir(dir, { recursive: true });
  const contents = renderNewArticle({ title, date, id: `tag:${config.idAuthority}:${date}/${slug}`, tags, draft: values.draft === true });
  try {
    // "wx": fail rather than replace, even if the file appears between a check and the write.
    await writeFile(file, contents, { flag: "wx" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      throw new WirefeedError("OUTPUT_UNWRITABLE", `${shown} already exists; wirefeed new never overwrites an article`, {
        hint: "edit that file, or choose another headline or --slug",
      });
    }
    throw new WirefeedError("OUTPUT_UNWRITABLE", `cannot write ${shown}: ${(error as Error).message}`, { cause: error });
  }
  io.stdout(`${shown}\n`);
  io.stderr(`Created ${shown}${values.draft === true ? " (draft)" : ""}. Edit it, then run: wirefeed build\n`);
  return 0;
}
