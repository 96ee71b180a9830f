import { SaxesParser } from "saxes";

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

export interface ParsedXml {
  /** The root element, as far as the parser got. */
  root: XmlElement | undefined;
  /** The first well-formedness error. */
  error: { line: number; column: number; message: string } | undefined;
  /** `encoding` of the XML declaration, if there is one. */
  encoding: string | undefined;
}

/** Strict, namespace-aware parse (saxes, no recovery): stops building at the first error. */
export function parseXml(text: string): ParsedXml {
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
    for (const attribute of Object.values(tag.attributes)) attributes[attribute.name] = attribute.value;
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
  parser.on("closetag", () => {
    if (error) return;
    current = current?.parent;
  });
  const append = (data: string) => {
    if (!error && current) current.text += data;
  };
  parser.on("text", append);
  parser.on("cdata", append);
  parser.on("error", (failure) => {
    // saxes prefixes "line:column: "; the finding has its own line.
    error ??= { line: parser.line, column: parser.column, message: failure.message.replace(/^\d+:\d+: /, "") };
  });
  try {
    parser.write(text).close();
  } catch (failure) {
    error ??= { line: parser.line, column: parser.column, message: (failure as Error).message };
  }
  return { root, error, encoding };
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
