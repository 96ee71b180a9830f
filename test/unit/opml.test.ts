import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { generateOpml, type OpmlSite } from "../../src/formats/opml.ts";
import type { FeedKind, FeedListing } from "../../src/model/types.ts";

const SITE: OpmlSite = { title: "Test Site", siteUrl: "https://example.com/blog/" };

function listing(kind: FeedKind, name: string, path: string, itemCount = 1): FeedListing {
  const base = `https://example.com/blog/${path}`;
  return {
    kind,
    name,
    title: kind === "main" ? name : `Test Site: ${name}`,
    homePageUrl: base,
    links: { rss: `${base}rss.xml`, atom: `${base}atom.xml`, json: `${base}feed.json` },
    itemCount,
  };
}

const FEEDS: FeedListing[] = [
  listing("main", "Test Site", "", 3),
  listing("tag", "Mexico", "tags/mexico/"),
  listing("tag", "Travel", "tags/travel/", 2),
  listing("section", "Notes", "sections/notes/"),
  listing("author", "Ana Pérez", "authors/ana-perez/", 3),
];

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** A strict, namespace-aware parse (saxes: the project's well-formedness gate) into a small tree. */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true });
  const root: XmlElement = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  parser.on("error", (error) => {
    throw error;
  });
  parser.on("opentag", (tag) => {
    const attributes: Record<string, string> = {};
    for (const [name, attribute] of Object.entries(tag.attributes)) attributes[name] = attribute.value;
    const element: XmlElement = { name: tag.name, attributes, children: [], text: "" };
    stack.at(-1)?.children.push(element);
    stack.push(element);
  });
  parser.on("text", (text) => {
    const top = stack.at(-1);
    if (top) top.text += text;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(xml).close();
  const [document] = root.children;
  if (!document) throw new Error("no root element");
  return document;
}

function child(element: XmlElement, name: string): XmlElement {
  const found = element.children.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no <${name}> in <${element.name}>`);
  return found;
}

/** Every outline that has an xmlUrl, depth first. */
function feedOutlines(element: XmlElement): XmlElement[] {
  return element.children.flatMap((outline) => [
    ...(outline.attributes.xmlUrl === undefined ? [] : [outline]),
    ...feedOutlines(outline),
  ]);
}

describe("generateOpml", () => {
  it("writes well-formed OPML 2.0 with a head title and a body", () => {
    const opml = parseXml(generateOpml(SITE, FEEDS));
    expect(opml.name).toBe("opml");
    expect(opml.attributes.version).toBe("2.0");
    expect(child(child(opml, "head"), "title").text).toBe("Test Site feeds");
    expect(child(opml, "body").children.length).toBeGreaterThan(0);
  });

  it("starts with an XML declaration and ends with one newline", () => {
    const text = generateOpml(SITE, FEEDS);
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')).toBe(true);
    expect(text.endsWith("</opml>\n")).toBe(true);
  });

  it("lists every feed once, as type rss with its RSS URL, absolute", () => {
    const outlines = feedOutlines(child(parseXml(generateOpml(SITE, FEEDS)), "body"));
    expect(outlines.map((outline) => outline.attributes.xmlUrl)).toEqual(FEEDS.map((feed) => feed.links.rss));
    for (const outline of outlines) {
      expect(outline.attributes.type).toBe("rss");
      expect(outline.attributes.version).toBe("RSS2");
      expect(outline.attributes.text).toBeTruthy();
      expect(new URL(outline.attributes.xmlUrl as string).href).toBe(outline.attributes.xmlUrl);
      expect(new URL(outline.attributes.htmlUrl as string).protocol).toBe("https:");
    }
  });

  it("puts the main feed first, then one folder per kind: tags, sections, authors", () => {
    const body = child(parseXml(generateOpml(SITE, FEEDS)), "body");
    expect(body.children.map((outline) => outline.attributes.text)).toEqual([
      "Test Site",
      "Tags",
      "Sections",
      "Authors",
    ]);
    const [main, tags, sections, authors] = body.children;
    expect(main?.attributes).toMatchObject({ title: "Test Site", xmlUrl: "https://example.com/blog/rss.xml" });
    expect(tags?.attributes.xmlUrl).toBeUndefined();
    expect(tags?.children.map((outline) => outline.attributes.title)).toEqual(["Test Site: Mexico", "Test Site: Travel"]);
    expect(sections?.children.map((outline) => outline.attributes.htmlUrl)).toEqual([
      "https://example.com/blog/sections/notes/",
    ]);
    expect(authors?.children.map((outline) => outline.attributes.text)).toEqual(["Test Site: Ana Pérez"]);
  });

  it("leaves out empty folders and archive documents", () => {
    const feeds = [listing("main", "Test Site", ""), listing("archive", "2024", "archive/2024/")];
    const body = child(parseXml(generateOpml(SITE, feeds)), "body");
    expect(body.children).toHaveLength(1);
    expect(feedOutlines(body)).toHaveLength(1);
  });

  it("resolves a relative feed link against the site URL", () => {
    const relative: FeedListing = {
      ...listing("tag", "Mexico", "tags/mexico/"),
      homePageUrl: "tags/mexico/",
      links: { rss: "tags/mexico/rss.xml", atom: "tags/mexico/atom.xml", json: "tags/mexico/feed.json" },
    };
    const [outline] = feedOutlines(child(parseXml(generateOpml(SITE, [relative])), "body"));
    expect(outline?.attributes.xmlUrl).toBe("https://example.com/blog/tags/mexico/rss.xml");
    expect(outline?.attributes.htmlUrl).toBe("https://example.com/blog/tags/mexico/");
  });

  it("escapes hostile names so they read back exactly", () => {
    const hostile = `Tom & Jerry <script>alert("x")</script> > 'quoted' "double"\tand\nnewline`;
    const site: OpmlSite = { title: `R&D <Lab> "News"`, siteUrl: SITE.siteUrl, ownerName: `O'Brien & <Co> "Ltd"` };
    const feeds = [
      { ...listing("main", site.title, ""), title: site.title },
      { ...listing("tag", hostile, "tags/tom-jerry/"), title: hostile },
      {
        ...listing("author", "Query", "authors/q/"),
        links: { rss: 'https://example.com/blog/rss.xml?a=1&b="2"&c=<3>', atom: "x", json: "y" },
      },
    ];
    const text = generateOpml(site, feeds);
    const opml = parseXml(text);
    const head = child(opml, "head");
    expect(child(head, "title").text).toBe(`R&D <Lab> "News" feeds`);
    expect(child(head, "ownerName").text).toBe(`O'Brien & <Co> "Ltd"`);
    const outlines = feedOutlines(child(opml, "body"));
    expect(outlines[0]?.attributes.text).toBe(site.title);
    expect(outlines[1]?.attributes.text).toBe(hostile);
    expect(outlines[1]?.attributes.title).toBe(hostile);
    // new URL() percent-encodes the quote and angle brackets; the ampersands stay and are escaped.
    expect(outlines[2]?.attributes.xmlUrl).toBe("https://example.com/blog/rss.xml?a=1&b=%222%22&c=%3C3%3E");
    expect(text).not.toContain("<script>");
    expect(text).toContain("&amp;b=");
  });

  it("drops characters XML 1.0 cannot carry instead of writing a broken file", () => {
    const feeds = [{ ...listing("main", "x", ""), title: "Bell\u0007 and \uD800 lone surrogate" }];
    const [outline] = feedOutlines(child(parseXml(generateOpml(SITE, feeds)), "body"));
    expect(outline?.attributes.title).toBe("Bell and  lone surrogate");
  });

  it("is deterministic and never reads the clock", () => {
    const first = generateOpml(SITE, FEEDS);
    expect(generateOpml(SITE, FEEDS)).toBe(first);
    expect(first).not.toMatch(/dateCreated|dateModified/);
  });

  it("writes dateModified (RFC 822) and ownerName only when given", () => {
    const updated = new Date("2025-05-03T17:30:00Z");
    const head = child(parseXml(generateOpml({ ...SITE, updated, ownerName: "Ana Pérez" }, FEEDS)), "head");
    expect(child(head, "dateModified").text).toBe("Sat, 03 May 2025 17:30:00 GMT");
    expect(child(head, "ownerName").text).toBe("Ana Pérez");
    expect(head.children.map((element) => element.name)).toEqual(["title", "dateModified", "ownerName", "docs"]);
  });

  it("writes an empty body for an empty list and stays well-formed", () => {
    const opml = parseXml(generateOpml(SITE, []));
    expect(child(opml, "body").children).toEqual([]);
  });
});
