/**
 * The one error type of wirefeed. Library code throws it; only `cli/main.ts` turns it into
 * a message and an exit code.
 */
export type ErrorCode =
  | "USAGE"
  | "CONFIG_MISSING"
  | "CONFIG_INVALID"
  | "ARTICLES_MISSING"
  | "CONTENT_INVALID"
  | "GATE_FAILED"
  | "GUARD_FAILED"
  | "OUTPUT_UNWRITABLE";

/** One finding about the input or the output: an error stops the build, a warning does not. */
export interface Diagnostic {
  severity: "error" | "warning";
  /** Stable machine-readable code such as `date-invalid` or `unknown-key`. */
  code: string;
  /** Path relative to the project root, with forward slashes. */
  file?: string;
  /** 1-based line in `file`, where known. */
  line?: number;
  /** Field path such as `date` or `authors[0].url`. */
  field?: string;
  message: string;
}

export interface WirefeedErrorOptions {
  file?: string;
  line?: number;
  field?: string;
  hint?: string;
  cause?: unknown;
  /** Every problem found, when the error stands for several (a content check that failed). */
  diagnostics?: readonly Diagnostic[];
}

export class WirefeedError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;
  readonly hint: string | undefined;
  readonly diagnostics: readonly Diagnostic[];

  constructor(code: ErrorCode, message: string, options: WirefeedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WirefeedError";
    this.code = code;
    this.file = options.file;
    this.line = options.line;
    this.field = options.field;
    this.hint = options.hint;
    this.diagnostics = options.diagnostics ?? [];
  }
}

/** `file:line: field: message`, leaving out the parts that are unknown. */
export function formatLocation(parts: { file?: string; line?: number; field?: string }): string {
  let where = parts.file ?? "";
  if (where && parts.line !== undefined) where += `:${parts.line}`;
  const prefix = [where, parts.field].filter(Boolean).join(": ");
  return prefix ? `${prefix}: ` : "";
}

/**
 * One line per finding, file first as compilers print them:
 * `articles/a.md:4: date: expected a date like 2025-05-03 …, got "next tuesday"`.
 * Warnings carry a `warning:` prefix so they stand apart from the errors that stop a build.
 */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.severity === "warning" ? "warning: " : ""}${formatLocation(d)}${d.message}`;
}

/** The text a person sees for an error: one line per problem, a summary, then a hint line when there is one. */
export function formatError(error: WirefeedError): string {
  const lines =
    error.diagnostics.length > 0
      ? [...error.diagnostics.map(formatDiagnostic), `wirefeed: ${error.message}`]
      : [`${formatLocation(error)}${error.message}`];
  if (error.hint) lines.push(`hint: ${error.hint}`);
  return lines.join("\n");
}

/** Quote a value the way messages show what was found. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "an invalid date" : value.toISOString();
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value === null) return "an empty value";
  if (typeof value === "object") return "a mapping";
  return String(value);
}
