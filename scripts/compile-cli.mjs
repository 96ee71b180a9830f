#!/usr/bin/env node
/**
 * Compiles the CLI into lib/ so that `wirefeed` starts without tsx's on-the-fly compile
 * (issue 7, "Startup"). Run by `npm run compile` and by the "prepare" lifecycle script, so
 * `npm ci` / `npm install` in a clone leaves a ready lib/. The dev scripts (`npm run build`,
 * `npm run wirefeed`, …) still run bin/wirefeed.ts through tsx and never read lib/.
 *
 *   node scripts/compile-cli.mjs [--verbose]
 *
 * What it writes (lib/ is build output and git-ignored; it is emptied first):
 *   lib/wirefeed.mjs       bin/wirefeed.ts and src/cli/main.ts, with a `#!/usr/bin/env node`
 *                          line: package.json "bin" points here. Enough on its own for
 *                          --version and --help.
 *   lib/wirefeed-*-<hash>.mjs  chunks: the commands and the rest of src/, which main.ts imports
 *                          when a command runs, so that their npm packages load only then.
 *   lib/<name>-worker.mjs  one bundle for every src/**\/<name>-worker.ts (see "Workers").
 *   lib/<path under src>   every file that src/ reads through `new URL("…", import.meta.url)`,
 *                          e.g. lib/gate/jsonfeed-1.1.schema.json (with its .LICENSE file).
 *   *.map                  source maps, used only with `node --enable-source-maps`.
 *
 * Bundling: esbuild (installed with tsx, a runtime dependency), platform node, format esm,
 * target node20. Only our own code is bundled: every npm package stays an external import
 * resolved from node_modules at run time (`packages: "external"`), so dependency versions are
 * exactly those in package-lock.json. tsx too: src/config/load.ts imports it only when it loads
 * a config file, so `wirefeed --version` and `--help` never load it.
 *
 * Files read relative to a module. After bundling, `import.meta.url` is lib/wirefeed.mjs for
 * every module, so each `new URL("<relative path>", import.meta.url)` with a string literal in
 * our sources is rewritten here:
 *   - a file under src/ (a schema, say) is copied to the same path under lib/ and the URL points
 *     at the copy: src/gate/x.json, read from src/check/ as "../gate/x.json", becomes "./gate/x.json";
 *   - a file outside src/ (../../package.json from src/cli/main.ts, for the version) is pointed
 *     at where it is: "../package.json" from lib/. It must ship with the package;
 *   - a .ts file must be a worker entry (below) and becomes "./<name>-worker.mjs".
 * Any other use of import.meta (a computed URL, fileURLToPath(import.meta.url), dirname) is left
 * as it is: from lib/ it names lib/ instead of the source file's folder. `--verbose` lists them
 * all; check each one when you add it (looking up node_modules or the package.json above, as
 * src/cache/ does, works the same from lib/).
 *
 * Workers. A worker_threads entry is a file named src/**\/<name>-worker.ts (today
 * src/render/render-worker.ts and src/documents/document-worker.ts). Each one is bundled on its
 * own into lib/<name>-worker.mjs, next to lib/wirefeed.mjs, so two worker files may not share a
 * name. The code that starts it resolves it with the extension of its own module, ".ts" under
 * tsx and ".mjs" compiled, as src/worker-entry.ts does for the module that passes its
 * import.meta.url:
 *
 *   const extension = path.extname(fileURLToPath(here)); // ".ts" or ".mjs"
 *   new Worker(new URL(`./render-worker${extension}`, here));
 *
 * That works from src/render/ (tsx) and from lib/ (compiled), because the worker sits next to
 * its spawner in both: every chunk of the CLI is written to lib/ itself, never a subfolder. A
 * literal `new URL("./render-worker.ts", import.meta.url)` is rewritten to ".mjs" (see above).
 * If the compiled code names "<name>-worker.js" instead (say `here.endsWith(".ts") ? ".ts" :
 * ".js"`), a copy is written as lib/<name>-worker.js too, an ES module because package.json says
 * "type": "module".
 */
import { chmod, copyFile, mkdir, readFile, readdir, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SRC = path.join(ROOT, "src");
const LIB = path.join(ROOT, "lib");
const MAIN_ENTRY = path.join(ROOT, "bin/wirefeed.ts");
const MAIN_OUT = "wirefeed.mjs";
const WORKER_SUFFIX = "-worker.ts";
const VERBOSE = process.argv.includes("--verbose");

const toPosix = (file) => file.split(path.sep).join("/");
const relativeUrl = (from, to) => {
  const relative = toPosix(path.relative(from, to));
  return relative.startsWith(".") ? relative : `./${relative}`;
};
const isInside = (dir, file) => !path.relative(dir, file).startsWith("..") && !path.isAbsolute(path.relative(dir, file));

/** Every src/**\/<name>-worker.ts, mapped to its output file name in lib/. */
async function findWorkers() {
  const files = (await readdir(SRC, { recursive: true })).map(String).filter((file) => file.endsWith(WORKER_SUFFIX));
  const workers = new Map();
  const byName = new Map();
  for (const file of files) {
    const absolute = path.join(SRC, file);
    const out = `${path.basename(file, ".ts")}.mjs`;
    if (byName.has(out)) throw new Error(`two worker entries would both compile to lib/${out}: ${toPosix(byName.get(out))} and ${toPosix(file)}`);
    byName.set(out, file);
    workers.set(absolute, out);
  }
  return workers;
}

const URL_LITERAL = /new\s+URL\(\s*(["'`])((?:\.\.?\/)[^"'`$\n]*)\1\s*,\s*import\.meta\.url\s*\)/g;

/**
 * Rewrites `new URL("<relative>", import.meta.url)` in our own .ts files (see the header),
 * strips the entry's `#!` line (the banner gives the compiled one) and records the assets to copy.
 */
function importMetaUrlPlugin({ workers, assets, notes }) {
  return {
    name: "wirefeed-import-meta-url",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
        if (!isInside(ROOT, args.path) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        let text = await readFile(args.path, "utf8");
        const where = toPosix(path.relative(ROOT, args.path));
        text = text.replace(/^#![^\n]*/, ""); // the line stays, empty, so source maps line up
        text = text.replace(URL_LITERAL, (_match, quote, specifier) => {
          const target = path.resolve(path.dirname(args.path), specifier);
          let rewritten;
          if (/\.[cm]?ts$/.test(target)) {
            const out = workers.get(target);
            if (!out) throw new Error(`${where}: new URL(${quote}${specifier}${quote}, import.meta.url) names a .ts file that is not a worker entry (src/**/*${WORKER_SUFFIX})`);
            rewritten = `./${out}`;
          } else if (!existsSync(target)) {
            throw new Error(`${where}: new URL(${quote}${specifier}${quote}, import.meta.url) names a file that does not exist: ${target}`);
          } else if (isInside(SRC, target)) {
            const copy = path.join(LIB, path.relative(SRC, target));
            assets.set(target, copy);
            rewritten = relativeUrl(LIB, copy);
          } else {
            rewritten = relativeUrl(LIB, target);
          }
          return `new URL(${JSON.stringify(rewritten)}, import.meta.url)`;
        });
        // Every other use of import.meta: listed by --verbose, not changed.
        const rewritten = /new URL\("[^"]*", import\.meta\.url\)/g;
        for (const match of text.replace(rewritten, (found) => " ".repeat(found.length)).matchAll(/import\.meta\.\w+/g)) {
          const line = text.slice(0, match.index).split("\n").length;
          notes.push(`${where}:${line}: ${text.split("\n")[line - 1].trim()}`);
        }
        return { contents: text, loader: "ts" };
      });
    },
  };
}

/** Options shared by the CLI bundle and every worker bundle. */
function options(plugin) {
  return {
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    charset: "utf8",
    keepNames: true,
    sourcemap: "linked",
    logLevel: "warning",
    absWorkingDir: ROOT,
    plugins: [plugin],
  };
}

async function compile() {
  const started = performance.now();
  const workers = await findWorkers();
  const assets = new Map();
  const notes = [];
  const plugin = importMetaUrlPlugin({ workers, assets, notes });

  await rm(LIB, { recursive: true, force: true });
  await mkdir(LIB, { recursive: true });

  // Split, so that what bin/wirefeed.ts imports dynamically (main.ts: every command and the
  // packages they import) is a chunk of its own, loaded only when needed: --version and --help
  // load lib/wirefeed.mjs alone. Chunks stay in lib/ itself, where the rewritten URLs expect them.
  await esbuild.build({
    ...options(plugin),
    entryPoints: [{ in: MAIN_ENTRY, out: path.basename(MAIN_OUT, ".mjs") }],
    outdir: LIB,
    outExtension: { ".js": ".mjs" },
    splitting: true,
    chunkNames: "wirefeed-[name]-[hash]",
    banner: { js: "#!/usr/bin/env node" },
  });
  for (const [entry, out] of workers) {
    await esbuild.build({ ...options(plugin), entryPoints: [entry], outfile: path.join(LIB, out) });
  }

  for (const [source, copy] of assets) {
    await mkdir(path.dirname(copy), { recursive: true });
    // A licence kept next to a copied file (jsonfeed-1.1.schema.json → jsonfeed-1.1.schema.LICENSE) goes with it.
    const licence = source.replace(/\.[^./\\]+$/, ".LICENSE");
    const pairs = [[source, copy], ...(licence !== source && existsSync(licence) ? [[licence, copy.replace(/\.[^./\\]+$/, ".LICENSE")]] : [])];
    for (const [from, to] of pairs) {
      await copyFile(from, to);
      await chmod(to, 0o644); // copyFile keeps the mode, and some sources are read-only
    }
  }

  // Workers that the compiled code names with ".js" get a copy under that name (see the header).
  const bundles = (await readdir(LIB)).filter((file) => file.endsWith(".mjs"));
  const outputs = await Promise.all(bundles.map((out) => readFile(path.join(LIB, out), "utf8")));
  for (const out of workers.values()) {
    const asJs = out.replace(/\.mjs$/, ".js");
    if (outputs.some((text) => text.includes(asJs))) await copyFile(path.join(LIB, out), path.join(LIB, asJs));
  }

  await chmod(path.join(LIB, MAIN_OUT), 0o755);
  if (VERBOSE && notes.length > 0) {
    console.log("compile-cli: import.meta left as is (each must mean the same from lib/ as from src/):");
    for (const note of notes) console.log(`  ${note}`);
  }
  const parts = bundles.join(", ");
  console.log(`compile-cli: wrote lib/ (${parts}${assets.size ? `, ${assets.size} asset${assets.size === 1 ? "" : "s"}` : ""}) in ${Math.round(performance.now() - started)} ms`);
}

try {
  await compile();
} catch (error) {
  // esbuild has already printed its own errors, with their place in the source.
  if (!(error instanceof Error && "errors" in error)) console.error(`compile-cli: ${error instanceof Error ? error.message : String(error)}`);
  else console.error("compile-cli: failed; lib/ is incomplete");
  process.exitCode = 1;
}
