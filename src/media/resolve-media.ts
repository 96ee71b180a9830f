import { readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../errors.ts";
import type { Article, MediaCopy, MediaRef } from "../model/types.ts";

export interface ResolvedMedia {
  /** The articles with every local media file's real type and length filled in. */
  articles: Article[];
  /** Local media files to copy into the output, at the same path. */
  copies: MediaCopy[];
  diagnostics: Diagnostic[];
}

const ALLOWED: Record<"image" | "enclosure", RegExp> = {
  image: /^image\//,
  enclosure: /^(?:audio\/|video\/|application\/pdf$|image\/)/,
};

/**
 * Read each local `image:` and `enclosure:` file: its MIME type from its first bytes (never from
 * the extension: feed@6 defect D17) and its byte length. A missing file is an error naming the
 * article; a file outside the project is refused.
 */
export async function resolveMedia(articles: readonly Article[], root: string): Promise<ResolvedMedia> {
  const diagnostics: Diagnostic[] = [];
  const copies = new Map<string, MediaCopy>();
  const realRoot = await realpath(root);
  const resolveOne = async (article: Article, field: "image" | "enclosure", ref: MediaRef | undefined) => {
    if (!ref?.localPath) return ref;
    const fail = (message: string) => {
      diagnostics.push({ severity: "error", code: "media-invalid", file: article.file, field, message });
      return undefined;
    };
    const absolute = path.resolve(root, ref.localPath);
    const real = await realpath(absolute).catch(() => undefined);
    if (!real) return fail(`file not found: ${ref.localPath} (paths are relative to the project folder)`);
    if (!real.startsWith(realRoot + path.sep)) return fail(`${ref.localPath} is outside the project folder`);
    const info = await stat(real);
    if (!info.isFile()) return fail(`${ref.localPath} is not a file`);
    const bytes = await readFile(real);
    // Loaded on the first local media file: most builds have none, and none to read again.
    const { fileTypeFromBuffer } = await import("file-type");
    const detected = await fileTypeFromBuffer(bytes);
    if (!detected || !ALLOWED[field].test(detected.mime)) {
      const kinds = field === "image" ? "an image (JPEG, PNG, GIF, WebP, AVIF)" : "audio, video, PDF or an image";
      return fail(`expected ${kinds}, got ${detected ? detected.mime : "a file whose type cannot be read from its contents"}: ${ref.localPath}`);
    }
    copies.set(ref.localPath, { path: ref.localPath, bytes, mediaType: detected.mime });
    return { ...ref, type: detected.mime, length: bytes.length };
  };
  const resolved: Article[] = [];
  for (const article of articles) {
    if (!article.image?.localPath && !article.enclosure?.localPath) {
      resolved.push(article);
      continue;
    }
    const image = await resolveOne(article, "image", article.image);
    const enclosure = await resolveOne(article, "enclosure", article.enclosure);
    resolved.push({ ...article, image, enclosure });
  }
  return { articles: resolved, copies: [...copies.values()].sort((a, b) => (a.path < b.path ? -1 : 1)), diagnostics };
}
