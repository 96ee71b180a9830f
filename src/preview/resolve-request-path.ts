import path from "node:path";

export type ResolvedPath = { ok: true; file: string } | { ok: false; status: 400 | 404; reason: string };

/**
 * The file under `root` that a request path names, or why there is none. Refuses anything that
 * could leave the folder: `..` in any spelling (`%2e%2e`), encoded slashes and backslashes, NUL,
 * drive letters, and request targets that are not plain paths (`http://host/…`, `*`).
 */
export function resolveRequestPath(root: string, target: string): ResolvedPath {
  if (!target.startsWith("/")) return { ok: false, status: 400, reason: "the request target must be a path starting with /" };
  const pathname = target.split(/[?#]/, 1)[0] as string;
  if (/%(2f|5c|00)/i.test(pathname) || /[\\\0]/.test(pathname)) {
    return { ok: false, status: 400, reason: "encoded slashes, backslashes and NUL are not allowed in paths" };
  }
  const segments: string[] = [];
  for (const raw of pathname.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: "the path is not valid percent-encoding" };
    }
    if (segment === "." || segment === ".." || /^[a-z]:/i.test(segment) || /[\\/\0]/.test(segment)) {
      return { ok: false, status: 400, reason: "the path leaves the served folder" };
    }
    if (segment !== "") segments.push(segment);
  }
  const base = path.resolve(root);
  const file = path.resolve(base, ...segments);
  if (file !== base && !file.startsWith(base + path.sep)) return { ok: false, status: 400, reason: "the path leaves the served folder" };
  return { ok: true, file };
}
