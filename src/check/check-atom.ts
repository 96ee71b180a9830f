import { EMAIL } from "../fields.ts";
import {
  checkDate,
  checkEnclosureType,
  checkHtmlUrls,
  checkHttpUrl,
  checkLanguage,
  checkSelfLink,
  createHeldFindings,
  createIdRegistry,
  reportError,
  reportWarning,
} from "./check-common.ts";
import { findHtmlTextProblems, textOfHtml } from "./inspect-html.ts";
import { ATOM_NS, type XmlElement, childOf, childrenOf, xmlBaseOf } from "./parse-xml.ts";
import type { FeedCheckContext, FeedItemSummary, XmlFeedCheck } from "./types.ts";

/**
 * Atom 1.0: the RFC 4287 rules, including those its RELAX NG schema cannot express (feed-standards
 * §2.3), for one document read as a stream: each `<entry>` of the feed is checked as it closes.
 */
export function createAtomCheck(context: FeedCheckContext): XmlFeedCheck {
  const held = createHeldFindings(context);
  const registerId = createIdRegistry(held.context, "entry id");
  const items: FeedItemSummary[] = [];
  return {
    isItem: (element) => {
      const root = element.parent;
      return element.uri === ATOM_NS && element.local === "entry" && root !== undefined && root.parent === undefined && root.uri === ATOM_NS;
    },
    checkItem: (entry) => {
      // The feed's <author> may come after its entries: the root holds the elements read so far.
      const feedHasAuthor = childOf(entry.parent as XmlElement, ATOM_NS, "author") !== undefined;
      items.push(checkEntry(entry, items.length, held.context, registerId, feedHasAuthor));
    },
    finish: (root) => {
      const summary = checkFeed(root, context);
      // An entry read before the feed's <author> was held to have none.
      held.release((finding) => !(summary.feedHasAuthor && finding.code === "atom-author-missing"));
      return { format: "atom", file: context.file, selfLink: summary.selfLink, items };
    },
  };
}

/** The rules of the `<feed>` element and its children but entries. */
function checkFeed(root: XmlElement, context: FeedCheckContext): { selfLink: string | undefined; feedHasAuthor: boolean } {
  if (root.uri !== ATOM_NS) {
    reportError(context, "atom-namespace", { line: root.line, field: "feed" }, `<feed> must be in the Atom namespace xmlns="${ATOM_NS}", got ${root.uri ? JSON.stringify(root.uri) : "no namespace"}`);
    return { selfLink: undefined, feedHasAuthor: false };
  }
  const where = (element: XmlElement | undefined, field: string) => ({ line: element?.line ?? root.line, field });

  requireOne(root, ["id", "title", "updated"], context, "feed", undefined);
  allowOne(root, ["generator", "icon", "logo", "rights", "subtitle"], context, "feed", undefined);
  checkId(childOf(root, ATOM_NS, "id"), context, "feed", undefined);
  const updated = childOf(root, ATOM_NS, "updated");
  if (updated) checkDate(context, updated.text.trim(), "rfc3339-atom", where(updated, "feed/updated"));
  checkLanguage(context, root.attributes["xml:lang"], where(root, "feed@xml:lang"), "xml:lang on <feed>");
  for (const name of ["title", "subtitle", "rights"]) checkText(childOf(root, ATOM_NS, name), context, `feed/${name}`, undefined);

  const links = childrenOf(root, ATOM_NS, "link");
  const self = links.find((link) => link.attributes.rel === "self");
  checkSelfLink(context, self?.attributes.href, where(self, 'feed/link[@rel="self"]'), 'link rel="self"');
  for (const link of links) checkLink(link, context, "feed/link", undefined);

  const feedHasAuthor = checkAuthors(root, context, "feed", undefined);
  return { selfLink: self?.attributes.href, feedHasAuthor };
}

function checkEntry(
  entry: XmlElement,
  index: number,
  context: FeedCheckContext,
  registerId: ReturnType<typeof createIdRegistry>,
  feedHasAuthor: boolean,
): FeedItemSummary {
  const idElement = childOf(entry, ATOM_NS, "id");
  const titleElement = childOf(entry, ATOM_NS, "title");
  const label = idElement?.text.trim() || titleElement?.text.trim() || `entry ${index + 1}`;
  const where = (element: XmlElement | undefined, field: string) => ({ line: element?.line ?? entry.line, item: label, field });

  requireOne(entry, ["id", "title", "updated"], context, "entry", label);
  allowOne(entry, ["content", "summary", "published", "rights", "source"], context, "entry", label);
  const id = checkId(idElement, context, "entry", label);
  if (id) registerId(id, where(idElement, "entry/id"));

  const updatedElement = childOf(entry, ATOM_NS, "updated");
  const publishedElement = childOf(entry, ATOM_NS, "published");
  const updated = updatedElement ? checkDate(context, updatedElement.text.trim(), "rfc3339-atom", where(updatedElement, "entry/updated")) : undefined;
  const published = publishedElement ? checkDate(context, publishedElement.text.trim(), "rfc3339-atom", where(publishedElement, "entry/published")) : undefined;

  const source = childOf(entry, ATOM_NS, "source");
  const hasAuthor = checkAuthors(entry, context, "entry", label) || (source !== undefined && checkAuthors(source, context, "entry/source", label));
  if (!hasAuthor && !feedHasAuthor) {
    reportError(context, "atom-author-missing", where(entry, "entry/author"), "no <author> in the entry or the feed; RFC 4287 requires one (readers show no byline)");
  }

  const links = childrenOf(entry, ATOM_NS, "link");
  for (const link of links) checkLink(link, context, "entry/link", label);
  const alternate = links.find((link) => (link.attributes.rel ?? "alternate") === "alternate");
  const content = childOf(entry, ATOM_NS, "content");
  if (!content && !alternate) {
    reportError(context, "atom-alternate-or-content", where(entry, "entry"), 'an entry without <content> must have a <link rel="alternate"> (RFC 4287 §4.1.1)');
  }
  if (content?.attributes.src !== undefined && !childOf(entry, ATOM_NS, "summary")) {
    reportError(context, "atom-summary-missing", where(content, "entry/summary"), "an entry whose <content> has src needs a <summary>");
  }
  for (const name of ["title", "summary", "rights"]) checkText(childOf(entry, ATOM_NS, name), context, `entry/${name}`, label);
  for (const name of ["content", "summary"]) {
    const element = childOf(entry, ATOM_NS, name);
    // With xml:base in scope a relative reference has one meaning (RFC 4287 §2); without it, readers guess.
    if (element && element.attributes.type === "html" && xmlBaseOf(element) === undefined) {
      checkHtmlUrls(context, element.text, where(element, `entry/${name}`), `<${name}>`);
    }
  }

  childrenOf(entry, ATOM_NS, "category").forEach((category) => {
    const term = category.attributes.term;
    if (term === undefined || term.trim() === "") {
      reportError(context, "category-term-missing", where(category, "entry/category@term"), `<category> must have a non-empty term attribute (RFC 4287 §4.2.2)${category.attributes.label ? `; it has only label=${JSON.stringify(category.attributes.label)}` : ""}`);
    }
  });

  const title = titleElement ? (titleElement.attributes.type === "html" ? textOfHtml(titleElement.text) : titleElement.text.replace(/\s+/g, " ").trim()) : undefined;
  return {
    id,
    title,
    url: alternate?.attributes.href,
    published: published ?? updated,
    updated,
    line: entry.line,
  };
}

function requireOne(parent: XmlElement, names: string[], context: FeedCheckContext, scope: string, item: string | undefined): void {
  for (const name of names) {
    const found = childrenOf(parent, ATOM_NS, name);
    if (found.length === 0) {
      reportError(context, "atom-required", { line: parent.line, item, field: `${scope}/${name}` }, `<${scope}> must contain exactly one <${name}>, found none`);
    } else if (found.length > 1) {
      reportError(context, "atom-duplicate", { line: found[1]?.line, item, field: `${scope}/${name}` }, `<${scope}> must contain exactly one <${name}>, found ${found.length}`);
    }
  }
}

function allowOne(parent: XmlElement, names: string[], context: FeedCheckContext, scope: string, item: string | undefined): void {
  for (const name of names) {
    const found = childrenOf(parent, ATOM_NS, name);
    if (found.length > 1) {
      reportError(context, "atom-duplicate", { line: found[1]?.line, item, field: `${scope}/${name}` }, `<${scope}> may contain at most one <${name}>, found ${found.length}`);
    }
  }
}

/** An Atom id is a permanent absolute IRI; `feed@6` cannot write one from `post-1` (D8), others write `<id/>`. */
function checkId(element: XmlElement | undefined, context: FeedCheckContext, scope: string, item: string | undefined): string | undefined {
  if (!element) return undefined;
  const value = element.text.trim();
  const where = { line: element.line, item, field: `${scope}/id` };
  if (value === "") {
    reportError(context, "id-invalid", where, "<id> is empty; expected a permanent absolute IRI such as tag:example.com,2025:my-post");
    return undefined;
  }
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(value)) {
    reportError(context, "id-invalid", where, `<id> must be an absolute IRI such as tag:example.com,2025:my-post or urn:uuid:…, got ${JSON.stringify(value)}`);
    return value;
  }
  if (/^https?:/i.test(value) && URL.canParse(value) && new URL(value).href !== value) {
    reportWarning(context, "id-not-canonical", where, `<id> ${JSON.stringify(value)} is not in canonical form (${JSON.stringify(new URL(value).href)}); readers may compare ids character by character`);
  }
  return value;
}

/** True when the element has at least one author; checks each one. */
function checkAuthors(parent: XmlElement, context: FeedCheckContext, scope: string, item: string | undefined): boolean {
  const authors = childrenOf(parent, ATOM_NS, "author");
  for (const author of authors) {
    const name = childOf(author, ATOM_NS, "name");
    if (!name || name.text.trim() === "") {
      reportError(context, "atom-author-name", { line: author.line, item, field: `${scope}/author/name` }, "<author> must contain a non-empty <name>");
    }
    const email = childOf(author, ATOM_NS, "email");
    if (email && !EMAIL.test(email.text.trim())) {
      reportError(context, "atom-author-email", { line: email.line, item, field: `${scope}/author/email` }, `<email> must be an email address, got ${JSON.stringify(email.text.trim())}`);
    }
    const uri = childOf(author, ATOM_NS, "uri");
    if (uri && xmlBaseOf(uri) === undefined) checkHttpUrl(context, uri.text.trim(), { line: uri.line, item, field: `${scope}/author/uri` }, "<uri>");
  }
  return authors.length > 0;
}

function checkLink(link: XmlElement, context: FeedCheckContext, field: string, item: string | undefined): void {
  const where = { line: link.line, item, field: `${field}@href` };
  const href = link.attributes.href;
  if (href === undefined) {
    reportError(context, "url-invalid", where, "<link> must have an href");
    return;
  }
  if (xmlBaseOf(link) === undefined && link.attributes.rel !== "self") checkHttpUrl(context, href, where, `<link rel="${link.attributes.rel ?? "alternate"}">`);
  if (link.attributes.rel === "enclosure") {
    checkEnclosureType(context, link.attributes.type, href, { line: link.line, item, field: `${field}@type` });
  }
}

/**
 * A text construct says what it holds. `type="html"` promises escaped HTML: `feed@6` puts plain
 * titles there, so `Hello & <World>` reads as `Hello &` (D7).
 */
function checkText(element: XmlElement | undefined, context: FeedCheckContext, field: string, item: string | undefined): void {
  if (!element) return;
  const type = element.attributes.type ?? "text";
  const where = { line: element.line, item, field };
  if (type !== "text" && type !== "html" && type !== "xhtml") {
    reportError(context, "atom-text-type", where, `type must be text, html or xhtml, got ${JSON.stringify(type)}`);
    return;
  }
  if (type === "html") {
    for (const problem of findHtmlTextProblems(element.text)) {
      reportError(context, "atom-html-text", where, `<${element.local} type="html"> holds text that is not HTML: ${problem}`);
    }
  }
  if (type === "xhtml" && !(element.children.length === 1 && element.children[0]?.local === "div" && element.children[0].uri === "http://www.w3.org/1999/xhtml")) {
    reportError(context, "atom-text-type", where, `<${element.local} type="xhtml"> must hold exactly one XHTML <div>`);
  }
}
