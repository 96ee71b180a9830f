import { SaxesParser } from "saxes";

/**
 * Strict, namespace-aware well-formedness check (saxes, no recovery) of a document, whole or in
 * pieces. Returns the first error as
 * `line:column: message`, or undefined when the document is well-formed.
 */
export function checkXml(text: string | readonly string[]): string | undefined {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let failure: string | undefined;
  parser.on("error", (error) => {
    failure ??= error.message;
  });
  try {
    // A document in pieces is parsed piece by piece, never joined (issue 7).
    for (const part of typeof text === "string" ? [text] : text) parser.write(part);
    parser.close();
  } catch (error) {
    failure ??= (error as Error).message;
  }
  return failure;
}
