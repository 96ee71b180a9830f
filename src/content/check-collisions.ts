import type { Diagnostic } from "../errors.ts";
import type { Article } from "../model/types.ts";

/** Two articles may not share an id or a permalink: name both files. */
export function checkCollisions(articles: readonly Article[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const check = (field: "id" | "slug", keyOf: (article: Article) => string) => {
    const first = new Map<string, Article>();
    for (const article of articles) {
      const key = keyOf(article);
      const other = first.get(key);
      if (!other) {
        first.set(key, article);
        continue;
      }
      diagnostics.push({
        severity: "error",
        code: `duplicate-${field}`,
        file: article.file,
        field,
        message: `${field} ${JSON.stringify(field === "id" ? article.id : article.slug)} is also used by ${other.file}; each article needs its own`,
      });
    }
  };
  check("id", (article) => article.id);
  check("slug", (article) => article.permalink);
  return diagnostics;
}
