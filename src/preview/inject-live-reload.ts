import { createHash } from "node:crypto";
import { escapeHtml } from "../formats/feed-workarounds.ts";
import { buildLiveReloadCode } from "./render-index-page.ts";

const BANNER_CSS =
  ".wirefeed-preview-error{margin:0 0 1rem;padding:1rem;background:#fff0f0;color:#600;" +
  "border-bottom:3px solid #d33;font:14px/1.4 ui-monospace,monospace;white-space:pre-wrap}";

const hashOf = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * Let the preview's own script, style and event stream through a page's Content-Security-Policy
 * (the subscribe page allows only its own hashes): add their hashes and `connect-src 'self'`.
 */
export function extendContentSecurityPolicy(policy: string, additions: { script: string; style: string }): string {
  const directives = policy.split(";").map((directive) => directive.trim()).filter(Boolean);
  const named = (name: string) => directives.findIndex((directive) => directive.split(/\s+/)[0]?.toLowerCase() === name);
  const hasDefault = named("default-src") !== -1;
  const add = (name: string, source: string) => {
    const index = named(name);
    if (index !== -1) directives[index] = `${(directives[index] as string).replace(/\s*'none'/, "")} ${source}`;
    else if (hasDefault) directives.push(`${name} ${source}`);
  };
  add("script-src", hashOf(additions.script));
  add("style-src", hashOf(additions.style));
  add("connect-src", "'self'");
  return directives.join("; ");
}

/** A page of the site as preview serves it: live reload, the last error on top, CSP widened for both. */
export function injectLiveReload(html: string, buildId: number, error: string | undefined): string {
  const script = buildLiveReloadCode(buildId);
  const withPolicy = html.replace(
    /(<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=")([^"]*)(")/i,
    (_whole, start: string, policy: string, end: string) =>
      `${start}${escapeHtml(extendContentSecurityPolicy(policy.replace(/&#39;|&apos;/g, "'"), { script, style: BANNER_CSS }))}${end}`,
  );
  const banner = error
    ? `<style>${BANNER_CSS}</style><pre class="wirefeed-preview-error" role="alert">The last change did not build; still serving the last good build.\n\n${escapeHtml(error)}</pre>`
    : "";
  const withBanner = banner && /<body[^>]*>/i.test(withPolicy) ? withPolicy.replace(/<body[^>]*>/i, (tag) => `${tag}${banner}`) : `${banner}${withPolicy}`;
  const tag = `<script>${script}</script>`;
  return withBanner.includes("</body>") ? withBanner.replace("</body>", `${tag}</body>`) : `${withBanner}${tag}`;
}
