import { SaxesParser } from "saxes";

/**
 * Strict, namespace-aware well-formedness check (saxes, no recovery). Returns the first error as
 * `line:column: message`, or undefined when the document is well-formed.
 */
export function checkXml(text: string): string | undefined {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let failure: string | undefined;
  parser.on("error", (error) => {
    failure ??= error.message;
  });
  try {
    parser.write(text).close();
  } catch (error) {
    failure ??= (error as Error).message;
  }
  return failure;
}
