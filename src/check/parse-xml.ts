import { SaxesParser } from "saxes";
import { copyText } from "./check-common.ts";

export const ATOM_NS = "http://www.w3.org/2005/Atom";
export const CONTENT_NS = "http://purl.org/rss/1.0/modules/content/";
export const DC_NS = "http://purl.org/dc/elements/1.1/";
export const XML_NS = "http://www.w3.org/XML/1998/namespace";

/** A namespace-resolved element with the line it starts on; enough of a DOM for the feed rules. */
export interface XmlElement {
  /** Name as written, with its prefix: `atom:link`. */
  name: string;
  local: string;
  /** Namespace URI; "" for none. */
  uri: string;
  /** Attributes by qualified name as written (`isPermaLink`, `xml:lang`). */
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside the element (text and CDATA), in order. */
  text: string;
  line: number;
  parent: XmlElement | undefined;
}

export interface XmlError {
  line: number;
  column: number;
  message: string;
}

export interface ParsedXml {
  /** The root element, as far as the parser got. */
  root: XmlElement | undefined;
  /** The first well-formedness error. */
  error: XmlError | undefined;
  /** `encoding` of the XML declaration, if there is one. */
  encoding: string | undefined;
}

export interface XmlStreamOptions {
  /**
   * Whether `element`, which has just closed, is an item the caller checks and lets go (an RSS
   * `<item>`, an Atom `<entry>`): it is then taken out of the tree and given to `onItem`, so the
   * tree holds the document's envelope and at most the one item being read.
   */
  isItem?: (element: XmlElement) => boolean;
  onItem?: (element: XmlElement) => void;
}

export interface XmlStream {
  /** The next piece of the document's text. */
  write(text: string): void;
  /** The end of the document: what was parsed, with the first well-formedness error. */
  close(): ParsedXml;
}

/**
 * Strict, namespace-aware parse (saxes, no recovery) of a document given in pieces: stops building
 * at the first error. Each item `options.isItem` picks is handed over once closed, then dropped.
 */
export function createXmlStream(options: XmlStreamOptions = {}): XmlStream {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let root: XmlElement | undefined;
  let current: XmlElement | undefined;
  let error: ParsedXml["error"];
  let encoding: string | undefined;
  parser.on("xmldecl", (decl) => {
    encoding = decl.encoding;
  });
  parser.on("opentag", (tag) => {
    if (error) return;
    const attributes: Record<string, string> = {};
    for (const attribute of Object.values(tag.attributes)) attributes[attribute.name] = copyText(attribute.value);
    const element: XmlElement = {
      name: tag.name,
      local: tag.local,
      uri: tag.uri,
      attributes,
      children: [],
      text: "",
      line: parser.line,
      parent: current,
    };
    if (current) current.children.push(element);
    else root ??= element;
    current = element;
  });
  /**
   * What a handler of ours threw (a rule checking an item, a text too long for one string): saxes
   * would report it as a well-formedness error at its position; it is thrown once saxes returns.
   */
  let thrown: { failure: unknown } | undefined;
  const guard = (handle: () => void) => {
    if (error || thrown) return;
    try {
      handle();
    } catch (failure) {
      thrown = { failure };
    }
  };
  parser.on("closetag", () =>
    guard(() => {
      const closed = current;
      if (closed) closed.text = copyText(closed.text);
      current = current?.parent;
      // An element that has just closed is its parent's last child.
      if (closed && current && options.isItem?.(closed)) {
        current.children.pop();
        options.onItem?.(closed);
      }
    }),
  );
  const append = (data: string) =>
    guard(() => {
      if (current) current.text += data;
    });
  parser.on("text", append);
  parser.on("cdata", append);
  parser.on("error", (failure) => {
    // saxes prefixes "line:column: "; the finding has its own line.
    error ??= { line: parser.line, column: parser.column, message: failure.message.replace(/^\d+:\d+: /, "") };
  });
  const run = (step: () => void) => {
    try {
      step();
    } catch (failure) {
      error ??= { line: parser.line, column: parser.column, message: (failure as Error).message };
    }
    if (thrown) throw thrown.failure;
  };
  /**
   * The text after the last "<" given so far. saxes hands over the text it holds at the end of
   * every piece, and reports text after the root element then, at that piece's end: each piece
   * given to it ends with a "<", after which it holds no text, so every position is the one the
   * whole text gives.
   */
  let held = "";
  return {
    write(text) {
      // Past the first error nothing more is built or reported.
      if (error) return;
      const all = held + text;
      const cut = all.lastIndexOf("<") + 1;
      held = all.slice(cut);
      if (cut > 0) run(() => parser.write(all.slice(0, cut)));
    },
    close() {
      if (!error) run(() => parser.write(held).close());
      held = "";
      return { root, error, encoding };
    },
  };
}

/** Child elements with this namespace and local name. */
export function childrenOf(element: XmlElement, uri: string, local: string): XmlElement[] {
  return element.children.filter((child) => child.uri === uri && child.local === local);
}

export function childOf(element: XmlElement, uri: string, local: string): XmlElement | undefined {
  return element.children.find((child) => child.uri === uri && child.local === local);
}

/** Trimmed text of the first such child, or undefined when there is no such child. */
export function childText(element: XmlElement, uri: string, local: string): string | undefined {
  return childOf(element, uri, local)?.text.trim();
}

/** The nearest `xml:base` in scope, for Atom's relative references. */
export function xmlBaseOf(element: XmlElement | undefined): string | undefined {
  for (let at = element; at; at = at.parent) {
    const base = at.attributes["xml:base"];
    if (base !== undefined) return base;
  }
  return undefined;
}
