import type { Finding } from "../check/types.ts";
import { type Diagnostic, formatDiagnostic } from "../errors.ts";
import type { Style } from "./style.ts";

/** A build diagnostic as a finding: the same one-line shape for articles and feeds. */
export function toFinding(diagnostic: Diagnostic, file: string | undefined = diagnostic.file): Finding {
  return {
    severity: diagnostic.severity,
    code: diagnostic.code,
    file: file ?? "",
    ...(diagnostic.line === undefined ? {} : { line: diagnostic.line }),
    ...(diagnostic.field === undefined ? {} : { field: diagnostic.field }),
    message: diagnostic.message,
  };
}

/** `error   rss-author-invalid dist/rss.xml:15 item "tag:…" item/author: message`. */
export function formatFinding(finding: Finding, style: Style): string {
  const severity = finding.severity === "error" ? style.red("error  ") : style.yellow("warning");
  let where = finding.file;
  if (finding.line !== undefined) where += `:${finding.line}`;
  const parts = [severity, style.dim(finding.code), where];
  if (finding.item !== undefined) parts.push(`item ${JSON.stringify(finding.item)}`);
  if (finding.field !== undefined) parts.push(style.dim(finding.field));
  return `${parts.filter(Boolean).join(" ")}: ${finding.message}`;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || a.code.localeCompare(b.code) || a.message.localeCompare(b.message),
  );
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/** `2 errors, 1 warning`. */
export function countFindings(findings: readonly Finding[]): { errors: number; warnings: number; text: string } {
  const errors = findings.filter((finding) => finding.severity === "error").length;
  const warnings = findings.length - errors;
  return { errors, warnings, text: `${plural(errors, "error")}, ${plural(warnings, "warning")}` };
}

/** A build warning as the build has always printed it (`warning: file:line: field: message`). */
export function formatWarning(diagnostic: Diagnostic, style: Style): string {
  const text = formatDiagnostic(diagnostic);
  return text.startsWith("warning:") ? `${style.yellow("warning:")}${text.slice(8)}` : text;
}
