#!/usr/bin/env bash
# Regenerates the "Usage" section of README.md from real runs of the CLI on a copy of the sample
# site: everything between <!-- usage:start --> and <!-- usage:end --> is replaced.
# Run it from anywhere: bash scripts/capture-usage.sh
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SITE=$(mktemp -d)
trap 'rm -rf "$SITE"' EXIT
cp -r "$REPO/articles" "$REPO/wirefeed.config.ts" "$SITE/"
NOW=2026-01-01T00:00:00Z
# Times in the summary vary from run to run; show them as 0.00 s so the section is reproducible.
wf() { (cd "$SITE" && NO_COLOR=1 node --import "$REPO/node_modules/tsx/dist/loader.mjs" "$REPO/bin/wirefeed.ts" "$@" 2>&1 | sed -E 's/ in [0-9.]+ s:/ in 0.00 s:/'); echo "[exit code ${PIPESTATUS[0]}]"; }
block() { echo "\$ $1"; shift; wf "$@"; echo; }
section() {
  echo 'Output captured from the tool by `scripts/capture-usage.sh` (the sample site, `--now` pinned).'
  echo
  echo '### Help'
  echo '```console'; block 'wirefeed --help' --help; echo '```'
  echo
  echo '### Write an article'
  echo '```console'; block 'wirefeed new "Hello" --now 2026-01-01T00:00:00Z' new "Hello" --now "$NOW"
  f=$(ls "$SITE"/articles/*-hello.md); echo "\$ cat ${f#"$SITE"/}"; cat "$f"; echo '```'
  echo
  echo '### Build'
  echo '```console'; block "wirefeed build --now $NOW" build --now "$NOW"
  block "wirefeed build --now $NOW --exit-code   # again: nothing changed" build --now "$NOW" --exit-code; echo '```'
  echo
  echo '### Check'
  echo '```console'; block "wirefeed check --now $NOW" check --now "$NOW"
  cp "$REPO/test/fixtures/check/rss-author-without-email/rss.xml" "$SITE/downloaded-rss.xml"
  cp "$REPO/test/fixtures/check/atom-html-title/atom.xml" "$SITE/downloaded-atom.xml"
  block 'wirefeed check downloaded-rss.xml downloaded-atom.xml' check downloaded-rss.xml downloaded-atom.xml; echo '```'
  echo
  echo '### Schedule'
  printf -- '---\ntitle: "Election results"\ndate: 2026-01-05T08:00:00-06:00\nexpires: 2026-02-01\n---\n\nResults will follow.\n' > "$SITE/articles/2026-01-05-election-results.md"
  echo '```console'; block "wirefeed schedule --now $NOW" schedule --now "$NOW"; block "wirefeed schedule --next --now $NOW" schedule --next --now "$NOW"; echo '```'
  echo
  echo '### Mistakes'
  echo '```console'; block 'wirefeed buidl' buidl; block 'wirefeed build --site-ur https://example.com/' build --site-ur https://example.com/
  printf -- '---\ntitle: Broken\ndate: next tuesday\ntittle: typo\n---\n\nBody.\n' > "$SITE/articles/broken.md"
  block "wirefeed build --now $NOW" build --now "$NOW"; echo '```'
}
# One common mistake per block: the file that causes it, then the real message.
mistake() {
  local title=$1 file=$2 contents=$3
  rm -f "$SITE"/articles/*.md
  cp "$REPO"/articles/*.md "$SITE/articles/"
  printf -- '%s' "$contents" > "$SITE/$file"
  echo "**$title**"
  echo
  echo '```console'
  block "wirefeed build --now $NOW" build --now "$NOW"
  echo '```'
  echo
}
troubleshooting() {
  echo 'Every message names the file (and line), the field, what was expected and what was found; the'
  echo 'exit code is 1 for content, 2 for usage and config; nothing is written, so `dist/` keeps the'
  echo 'last good feeds. Captured by `scripts/capture-usage.sh`:'
  echo
  mistake "YAML that does not parse (an unclosed quote or bracket)" articles/bad.md $'---\ntitle: "Unclosed\ndate: 2025-05-03\n---\n\nBody.\n'
  mistake "A date that is not a date, a typo in a key, a missing title" articles/2025-05-03-mexico.md $'---\ntittle: Mexico\ndate: next tuesday\n---\n\nBody.\n'
  mistake "A URL that is not absolute, an email that is not one" articles/links.md $'---\ntitle: Links\ndate: 2025-05-03\ncanonical: www.example.com/story\nauthor: {name: Ana, email: ana-at-example}\n---\n\nBody.\n'
  mistake "Two articles with the same slug" articles/2025-06-01-mexico-rejects-us-troops.md $'---\ntitle: Again\ndate: 2025-06-01\n---\n\nBody.\n'
  mistake "A file saved in Latin-1 instead of UTF-8" articles/latin1.md $'---\ntitle: Caf\xe9\ndate: 2025-05-03\n---\n\nBody.\n'
  rm -f "$SITE/articles/latin1.md"
  cp "$REPO/wirefeed.config.ts" "$SITE/wirefeed.config.ts"
  sed -i 's#siteUrl: "https://news.example.com/"#siteUrl: "news.example.com", tittle: "x"#' "$SITE/wirefeed.config.ts"
  echo '**A config with a bad site URL and an unknown key** (exit code 2)'
  echo
  echo '```console'; block "wirefeed build --now $NOW" build --now "$NOW"; echo '```'
  cp "$REPO/wirefeed.config.ts" "$SITE/wirefeed.config.ts"
}
replace_section() {
  node -e '
    const fs = require("fs");
    const [file, name, text] = process.argv.slice(1);
    const readme = fs.readFileSync(file, "utf8");
    const start = `<!-- ${name}:start -->`, end = `<!-- ${name}:end -->`;
    const a = readme.indexOf(start), b = readme.indexOf(end);
    if (a < 0 || b < a) { console.error(`README.md has no ${name} markers`); process.exit(1); }
    fs.writeFileSync(file, readme.slice(0, a + start.length) + "\n" + text + "\n" + readme.slice(b));
  ' "$REPO/README.md" "$1" "$2"
}
replace_section usage "$(section)"
replace_section troubleshooting "$(troubleshooting)"
