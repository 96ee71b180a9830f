/**
 * Small, dependency-free looks into HTML payloads: the URLs its tags point at, and whether a
 * piece of text declared as HTML really is HTML. Not a parser; precise enough for these rules.
 */

/** Attributes whose value is a URL (or, for srcset, a list of them). */
const URL_ATTRIBUTES = new Set(["href", "src", "srcset", "poster", "cite", "action", "formaction", "background", "data", "longdesc"]);

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decode character references; unknown named ones are left as written. */
export function decodeHtml(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/gi, (whole, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/** The visible text of an HTML fragment: tags removed, references decoded, spaces collapsed. */
export function textOfHtml(html: string): string {
  return decodeHtml(html.replace(/<[^>]*>/g, "")).replace(/\s+/g, " ").trim();
}

/** True for a URL with a scheme (`https:`, `mailto:`, `tag:`): resolved the same everywhere. */
export function isAbsoluteUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(value.trim());
}

/** An absolute http(s) URL with a host. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
}

export interface HtmlUrl {
  attribute: string;
  value: string;
}

/** Every relative URL in the tags of an HTML fragment (`href="/a"`, `src="img.png"`, `#fn1`, `//host/x`). */
export function findRelativeUrls(html: string): HtmlUrl[] {
  const found: HtmlUrl[] = [];
  for (const tag of html.matchAll(/<[a-z][a-z0-9-]*(\s[^>]*)?>/gi)) {
    const attributes = tag[1] ?? "";
    for (const match of attributes.matchAll(/([^\s"'=<>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g)) {
      const attribute = (match[1] as string).toLowerCase();
      if (!URL_ATTRIBUTES.has(attribute)) continue;
      const raw = decodeHtml(match[2] ?? match[3] ?? match[4] ?? "");
      const values = attribute === "srcset" ? raw.split(",").map((candidate) => candidate.trim().split(/\s+/)[0] ?? "") : [raw];
      for (const value of values) {
        if (!isAbsoluteUrl(value)) found.push({ attribute, value });
      }
    }
  }
  return found;
}

/** HTML elements a title or summary may reasonably contain; anything else is text that lost its escaping. */
const HTML_ELEMENTS = new Set(
  (
    "a abbr acronym address area article aside audio b bdi bdo big blockquote br button caption cite code col colgroup " +
    "data dd del details dfn div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li " +
    "main mark math nav ol p picture pre q rp rt ruby s samp section small source span strike strong sub summary sup svg " +
    "table tbody td tfoot th thead time tr tt u ul var video wbr"
  ).split(" "),
);

/**
 * Problems of text declared as HTML (Atom `type="html"`): a raw `&` that starts no character
 * reference, a `<` that starts no tag, or a tag that is no HTML element (`<World>`). Each means
 * plain text was put where HTML was promised, and readers will show it wrong (feed-standards D7).
 */
export function findHtmlTextProblems(html: string): string[] {
  const problems: string[] = [];
  const ampersand = /&(?!#\d+;|#x[0-9a-f]+;|[a-z][a-z0-9]*;)/i.exec(html);
  if (ampersand) problems.push(`a raw "&" at ${JSON.stringify(excerpt(html, ampersand.index))}: escape it as &amp; or declare type="text"`);
  for (const match of html.matchAll(/<(\/?)([^\s>/]*)/g)) {
    const name = match[2] as string;
    if (!/^[a-z][a-z0-9-]*$/i.test(name) && !name.startsWith("!")) {
      problems.push(`a raw "<" at ${JSON.stringify(excerpt(html, match.index))}: escape it as &lt; or declare type="text"`);
    } else if (/^[a-z]/i.test(name) && !HTML_ELEMENTS.has(name.toLowerCase())) {
      problems.push(`<${name}> is not an HTML element, so readers drop it: escape the text or declare type="text"`);
    }
  }
  return problems;
}

function excerpt(text: string, index: number): string {
  return text.slice(Math.max(0, index - 10), index + 10);
}
