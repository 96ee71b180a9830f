import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveSummary } from "../../src/model/build-model.ts";
import { extractLeadText, extractMarkedText, extractText, sanitizeArticle, sanitizeArticleHtml, sanitizeMarkedHtml } from "../../src/render/sanitize.ts";
import { stripXmlInvalid } from "../../src/fields.ts";
import { createMarkdownRenderer } from "../../src/render/markdown.ts";

const PERMALINK = "https://example.com/blog/posts/hello/";
const SAFE = { sanitize: true, iframeHosts: ["www.youtube-nocookie.com"] };
const render = createMarkdownRenderer();
const clean = (markdown: string, settings = SAFE) => sanitizeArticleHtml(render(markdown), PERMALINK, settings);

describe("sanitizing raw HTML in Markdown", () => {
  it("removes <script>, <style> and their contents", () => {
    const html = clean('Before\n\n<script>alert("x")</script>\n\n<style>body{display:none}</style>\n\nAfter <script src="https://evil.example/x.js"></script>');
    expect(html).not.toMatch(/script|style|alert|display:none|evil/);
    expect(html).toContain("Before");
    expect(html).toContain("After");
  });

  it("removes an <iframe> unless its host is allowlisted", () => {
    const html = clean('<iframe src="https://evil.example/embed"></iframe>\n\n<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560"></iframe>');
    expect(html).not.toContain("evil.example");
    expect(html).toContain('<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560"></iframe>');
  });

  it("removes on* attributes", () => {
    const html = clean('<img src="a.png" onerror="alert(1)" alt="a"> <a href="x" onclick="steal()" onmouseover="y()">x</a>');
    expect(html).not.toMatch(/onerror|onclick|onmouseover|alert|steal/);
    expect(html).toContain('<img src="https://example.com/blog/posts/hello/a.png" alt="a" />');
  });

  it.each([
    ["javascript:", '<a href="javascript:alert(1)">x</a> [y](javascript:alert(2))'],
    ["JaVaScRiPt: with entities", '<a href="jav&#x09;ascript:alert(1)">x</a>'],
    ["vbscript:", '<a href="vbscript:msgbox(1)">x</a>'],
    ["data:text/html", '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a> <img src="data:text/html;base64,PHNjcmlwdD4=">'],
    ["data:image/svg+xml (can carry script)", '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">'],
  ])("removes %s URLs", (_name, markdown) => {
    const html = clean(markdown);
    expect(html).not.toMatch(/javascript|vbscript|data:text|svg\+xml|alert|msgbox/i);
  });

  it("keeps data:image for raster images (a plain picture cannot run code)", () => {
    const pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
    expect(clean(`<img src="${pixel}" alt="dot">`)).toContain(`src="${pixel}"`);
  });

  it("keeps ordinary markup: tables, figures, details, images, code", () => {
    const html = clean(
      [
        "| a | b |",
        "|---|---|",
        "| 1 | 2 |",
        "",
        '<figure><img src="/i/photo.jpg" alt="Photo" width="640"><figcaption>Caption</figcaption></figure>',
        "",
        "<details><summary>More</summary>Hidden text</details>",
        "",
        "```ts",
        "const x = 1 < 2;",
        "```",
        "",
        "- [x] done",
      ].join("\n"),
    );
    expect(html).toContain("<table>");
    expect(html).toContain("<td>1</td>");
    expect(html).toContain('<figure><img src="https://example.com/i/photo.jpg" alt="Photo" width="640" /><figcaption>Caption</figcaption></figure>');
    expect(html).toContain("<details><summary>More</summary>Hidden text</details>");
    expect(html).toContain('<pre><code class="language-ts">const x = 1 &lt; 2;\n</code></pre>');
    expect(html).toContain('<input checked disabled type="checkbox" />');
  });

  it("with sanitize: false keeps everything, but still makes URLs absolute", () => {
    const html = clean('<script>track()</script> <a href="x" onclick="y()">x</a>', { sanitize: false, iframeHosts: [] });
    expect(html).toContain("<script>track()</script>");
    expect(html).toContain('<a href="https://example.com/blog/posts/hello/x" onclick="y()">x</a>');
  });
});

describe("absolute URLs, resolved against the article permalink", () => {
  it("rewrites href, src, srcset and poster; #fragment becomes <permalink>#fragment", () => {
    const html = clean(
      '[a](other/) [r](/root) [f](#sec) ![i](img/a.png)\n\n<img src="x.png" srcset="a.png 1x, /b.png 2x"> <video poster="p.jpg" src="v.mp4"></video> [m](mailto:a@example.com)',
    );
    expect(html).toContain('href="https://example.com/blog/posts/hello/other/"');
    expect(html).toContain('href="https://example.com/root"');
    expect(html).toContain('href="https://example.com/blog/posts/hello/#sec"');
    expect(html).toContain('src="https://example.com/blog/posts/hello/img/a.png"');
    expect(html).toContain('srcset="https://example.com/blog/posts/hello/a.png 1x, https://example.com/b.png 2x"');
    expect(html).toContain('poster="https://example.com/blog/posts/hello/p.jpg"');
    expect(html).toContain('href="mailto:a@example.com"');
  });

  it("drops characters XML forbids, even ones decoded from entities", () => {
    const html = clean("a &#1; b \u0002 c &#xFFFE; d");
    expect(html).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  });
});

describe("the lead text a derived summary reads (issue 7)", () => {
  const pieces = [
    "<p>", "</p>", "<h2>", "</h2>", "<li>", "</li>", "<ul>", "</ul>", "<div>", "</div>", "<pre>", "</pre>", "<blockquote>",
    "</blockquote>", "<tr>", "</tr>", "<figcaption>", "</figcaption>", "<sup>", "</sup>", "<script>", "</script>", "<textarea>",
    "</textarea>", "<title>", "</title>", "<!--", "-->", "<br>", "<a href=\"x\">", "</a>", " ", "\n", "\u00a0", "&nbsp;", "&amp;",
    "&lt;", "&#1;", "<", ">", "'", "\"", "word", "Two words", "</P>",
  ];
  const htmls = fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((parts) => parts.join(""));

  it("is the start of the whole text, and gives the same summary, for any HTML", () => {
    fc.assert(
      fc.property(htmls, (html) => {
        const whole = extractText(html);
        const lead = extractLeadText(html);
        expect(whole.startsWith(lead)).toBe(true);
        expect(deriveSummary(lead)).toBe(deriveSummary(whole));
      }),
      { numRuns: 3000 },
    );
  });

  it("stops after the first paragraph with text in it", () => {
    const html = `<h2 id="a"> </h2>\n<p>First <em>one</em>.</p>\n${"<p>More text.</p>\n".repeat(200)}`;
    expect(extractLeadText(html)).toBe(" \n\nFirst one.\n");
    expect(extractLeadText("<p>No closer")).toBe("No closer");
  });
});

describe("HTML marked rendered from Markdown with no raw HTML, sanitized without a second parse (issue 7)", () => {
  const urls = [
    "other/", "/root", "#sec", "../up/?a=1&b=2", "https://example.org/x?q=\"a\"&r='b'", "mailto:a@example.com", "tel:+15550100",
    "javascript:alert(1)", "ftp://files.example/x", "data:image/png;base64,iVBOR", "data:text/html,x", "http://[bad", "HTTPS://Ex.COM/%7e/",
    "a%20b", "café/ü", "&amp;x", "&copy;", "x&quot;y", "//cdn.example/p.png", "?q", "", "a b",
  ];
  const titles = ["", ' "T"', " 'it''s'", ' "a & b < c"'];
  const word = fc.constantFrom(
    "word", "Two words", "&", "&amp;", "&amp;lt;", "&copy;", "&#39;", "&#1;", "&quot;", "&lt;", "\"", "'", ">", "<", "*", "_", "~", "`", "\\*",
    "|", "#", "-", "+", "1.", "!", "[", "]", "(", ")", "www.example.com", "https://auto.example/p?a=1&b=2", "a@b.example",
    "café", "\u00a0", "\r", "  \n", "\n", " ", "<b>x</b>", "<https://x.example>", "[^1]",
  );
  const inline = fc.oneof(
    { weight: 6, arbitrary: word },
    fc.tuple(fc.constantFrom("*", "**", "_", "~~", "`", "``"), word).map(([mark, text]) => `${mark}${text}${mark}`),
    fc.tuple(word, fc.constantFrom(...urls), fc.constantFrom(...titles)).map(([text, url, title]) => `[${text}](${url}${title})`),
    fc.tuple(word, fc.constantFrom(...urls), fc.constantFrom(...titles)).map(([alt, url, title]) => `![${alt}](${url}${title})`),
  );
  const line = fc.array(inline, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(" "));
  const block = fc.oneof(
    { weight: 4, arbitrary: line },
    fc.tuple(fc.integer({ min: 1, max: 6 }), line).map(([level, text]) => `${"#".repeat(level)} ${text}`),
    fc.array(fc.tuple(fc.constantFrom("- ", "* ", "1. ", "3) ", "- [x] ", "- [ ] ", "  - "), line), { minLength: 1, maxLength: 4 }).map((items) => items.map(([mark, text]) => mark + text).join("\n")),
    line.map((text) => `> ${text}\n>\n> ${text}`),
    fc.tuple(fc.constantFrom("", "js", "c++", 'a"b', "x&y"), line).map(([lang, code]) => `\`\`\`${lang}\n${code}\n\`\`\``),
    line.map((code) => `    ${code}`),
    fc.tuple(fc.constantFrom("---", ":--", "--:", ":-:"), line, line).map(([align, a, b]) => `| h | ${a} |\n|---|${align}|\n| ${b} | c |`),
    fc.constant("***"),
    fc.constant("<div>raw</div>"),
  );
  const markdown = fc.array(block, { minLength: 1, maxLength: 6 }).map((blocks) => blocks.join("\n\n"));
  const permalink = fc.constantFrom(PERMALINK, "https://example.com/a%20b/caf%C3%A9/", "https://user@example.com:8443/p?q=1#f");

  it("gives sanitize-html's bytes whenever it gives any, and takes most such HTML", () => {
    let direct = 0;
    let plain = 0;
    fc.assert(
      fc.property(markdown, permalink, (md, base) => {
        const html = render(md);
        const slow = sanitizeArticleHtml(html, base, SAFE);
        const article = sanitizeArticle(html, base, SAFE, md);
        expect(article.html).toBe(slow.trim());
        expect(article.text).toBe(extractLeadText(slow.trim()));
        const made = sanitizeMarkedHtml(html, base);
        if (!md.includes("<")) plain++;
        if (made === undefined) return;
        direct++;
        expect(stripXmlInvalid(made)).toBe(slow);
        expect(extractMarkedText(made)).toBe(extractText(made));
      }),
      { numRuns: 4000 },
    );
    // Most Markdown with no `<` must take the direct path, or the test would prove nothing.
    expect(direct).toBeGreaterThan(plain / 3);
  });

  it("leaves to sanitize-html what it cannot vouch for", () => {
    expect(sanitizeMarkedHtml(render("a &copy; b"), PERMALINK)).toBeUndefined();
    expect(sanitizeMarkedHtml(render("[x](javascript:alert(1))"), PERMALINK)).toBeUndefined();
    expect(sanitizeMarkedHtml(render("![x](data:image/png;base64,AA)"), PERMALINK)).toBeUndefined();
    expect(sanitizeMarkedHtml('<p onclick="x()">a</p>', PERMALINK)).toBeUndefined();
    expect(sanitizeMarkedHtml("<p><em>a</p></em>", PERMALINK)).toBeUndefined();
    expect(sanitizeMarkedHtml("<p>a", PERMALINK)).toBeUndefined();
    expect(sanitizeMarkedHtml("<script>x</script>", PERMALINK)).toBeUndefined();
    const raw = '<b onclick="x()">b</b> [l](javascript:x())';
    expect(sanitizeArticle(render(raw), PERMALINK, SAFE, raw)).toEqual({ html: "<p><b>b</b> <a>l</a></p>", text: "b l\n" });
  });

  it("matches sanitize-html on the shapes marked writes", () => {
    const md = "# Héad & 'q'\n\n- [x] done\n- [ ] todo\n\n3. three\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n```js\nx < \"y\" && 'z'\n```\n\nline  \nbreak ![alt](p.png \"T\") [l](../x?a=1&b=2 \"t's\") ~~del~~\n\n***";
    const html = render(md);
    const made = sanitizeMarkedHtml(html, PERMALINK);
    expect(made).toBe(sanitizeArticleHtml(html, PERMALINK, SAFE));
    expect(made).toContain('<input checked disabled type="checkbox" />');
    expect(made).toContain('<img src="https://example.com/blog/posts/hello/p.png" alt="alt" title="T" />');
    expect(made).toContain("<h1 id=\"héad--q\">Héad &amp; 'q'</h1>");
  });
});
