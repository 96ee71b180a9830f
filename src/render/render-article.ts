import type { Article, RenderedArticle } from "../model/types.ts";
import { createMarkdownRenderer } from "./markdown.ts";
import { type SanitizeSettings, extractText, sanitizeArticleHtml } from "./sanitize.ts";

/** Markdown → safe, absolute-URL HTML, for every article of one build. */
export function createArticleRenderer(settings: SanitizeSettings): (article: Article) => RenderedArticle {
  const renderMarkdown = createMarkdownRenderer();
  return (article) => {
    const html = sanitizeArticleHtml(renderMarkdown(article.body), article.permalink, settings).trim();
    return { ...article, html, text: extractText(html) };
  };
}
