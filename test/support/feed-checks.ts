/**
 * Independent checks of wirefeed's output for the robustness tests (atomic writes, property
 * tests). Built on test/interop/read-feeds.ts, never on src/gate: a test of the gate must not trust the gate.
 */
import path from "node:path";
import { validateXML } from "xmllint-wasm";
import { JSON_FEED_VERSION, jsonFeedSchemaErrors, xmlError } from "../interop/read-feeds.ts";

export const repoRoot = path.resolve(import.meta.dirname, "../..");

/** Strict, namespace-aware XML 1.0 parse (the interop suite's saxes parse). The first error, or undefined. */
export const strictXmlError = xmlError;

/** JSON Feed 1.1 schema (the interop suite's copy) plus the exact version string. */
export function createJsonFeedValidator(): (text: string) => string[] {
  return (text) => {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      return [`not JSON: ${(error as Error).message}`];
    }
    const problems = jsonFeedSchemaErrors(text);
    if ((document as { version?: unknown }).version !== JSON_FEED_VERSION) problems.push(`/version must be ${JSON_FEED_VERSION}`);
    return problems;
  };
}

/** RFC 4287 RELAX NG grammar, the repo's copy in test/schemas. */
export function atomRngPath(): string {
  return path.join(repoRoot, "test/schemas/atom.rng");
}

/**
 * Validate many Atom documents against the RELAX NG grammar in one xmllint-wasm run (each run
 * starts a worker and compiles the grammar, ~125 ms; a batch of 100 costs little more).
 * Returns the error messages per document name; a valid document is absent from the map.
 */
export async function validateAtomBatch(rng: string, docs: readonly { name: string; xml: string }[]): Promise<Map<string, string[]>> {
  const failures = new Map<string, string[]>();
  if (docs.length === 0) return failures;
  const result = await validateXML({
    xml: docs.map((doc) => ({ fileName: doc.name, contents: doc.xml })),
    schema: [{ fileName: "atom.rng", contents: rng }],
    extension: "relaxng",
    maxMemoryPages: 4096,
  });
  if (result.valid) return failures;
  for (const error of result.errors) {
    const raw = error.rawMessage.trim();
    if (!raw || / validates$/.test(raw)) continue;
    const name = error.loc?.fileName ?? docs.find((doc) => raw.startsWith(`${doc.name} `))?.name ?? "(unattributed)";
    failures.set(name, [...(failures.get(name) ?? []), error.rawMessage]);
  }
  // xmllint says "x.xml fails to validate" on a line of its own, without a location.
  if (failures.size === 0) failures.set("(unattributed)", [result.rawOutput]);
  return failures;
}

/**
 * What wirefeed must remove from text: characters XML 1.0 forbids (C0 controls but tab, LF and
 * CR; U+FFFE, U+FFFF; lone surrogates), plus U+FDD0–U+FDEF, Unicode noncharacters that wirefeed
 * documents as reserved for its own markers (src/fields.ts). Written independently of src/.
 */
export function removeXmlForbidden(text: string): string {
  let out = "";
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text[index]! + text[index + 1]!;
        index++;
      }
      continue; // a high surrogate without its low half
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) continue; // a low surrogate without its high half
    if (unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d) continue;
    if (unit === 0xfffe || unit === 0xffff) continue;
    if (unit >= 0xfdd0 && unit <= 0xfdef) continue;
    out += text[index]!;
  }
  return out;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
