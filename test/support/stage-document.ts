/**
 * Stages one 3,000,000-byte document through openOutputWriter and commits it, in pieces
 * (`parts`) or whole (`whole`); prints what happened as JSON. Run by test/atomic-write.test.ts
 * under a file-size limit smaller than the document.
 */
import { openOutputWriter } from "../../src/output/write.ts";

const [dir, mode] = process.argv.slice(2);
const part = "x".repeat(600_000);
const parts = [part, part, part, part, part];
const writer = openOutputWriter(dir as string);
try {
  writer.stage(
    mode === "parts"
      ? { path: "feed.json", parts, mediaType: "application/feed+json" }
      : { path: "feed.json", contents: parts.join(""), mediaType: "application/feed+json" },
  );
  const result = await writer.commit();
  process.stdout.write(JSON.stringify({ written: result.written }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: (error as Error).message }));
}
