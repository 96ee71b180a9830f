import type { Article, RenderedArticle } from "../model/types.ts";
import type { RenderInput, RenderOutput } from "./render-articles.ts";
import { createMarkdownRenderer } from "./markdown.ts";
import { type SanitizeSettings, sanitizeArticle } from "./sanitize.ts";

/** Markdown → safe, absolute-URL HTML, for every article of one build. */
export function createArticleRenderer(settings: SanitizeSettings): (article: Article & { body: string }) => RenderedArticle {
  const renderMarkdown = createMarkdownRenderer();
  return (article) => {
    return { ...article, ...sanitizeArticle(renderMarkdown(article.body), article.permalink, settings, article.body) };
  };
}

/**
 * Renders article bodies exactly as a fresh `createArticleRenderer(settings)` renders each one.
 * One renderer is reused while that is the same thing: marked-gfm-heading-id resets its slugger
 * on every parse, but marked-footnote keeps a reference counter in its Marked instance that an
 * unreferenced footnote definition leaves raised, which renumbers the next article's footnotes.
 * So an article with footnote syntax (`[^`) gets a renderer of its own, and the shared one never
 * sees a footnote. The output is then a function of (body, permalink, settings) alone, which the
 * cache key relies on.
 */
export function createBodyRenderer(settings: SanitizeSettings): (input: RenderInput) => RenderOutput {
  const shared = createArticleRenderer(settings);
  return ({ body, permalink }) => {
    const render = body.includes("[^") ? createArticleRenderer(settings) : shared;
    // createArticleRenderer reads only `body` and `permalink`: the cache key is made of them.
    const { html, text } = render({ body, permalink } as Article & { body: string });
    return { html, text };
  };
}
