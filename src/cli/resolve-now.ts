import { WirefeedError } from "../errors.ts";
import type { CliIo } from "./io.ts";

/** Parse `--now`, else SOURCE_DATE_EPOCH, else undefined (the clock). */
export function resolveNow(flag: string | undefined, env: CliIo["env"]): Date | undefined {
  if (flag !== undefined) {
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
    const date = new Date(flag);
    if (!iso.test(flag) || Number.isNaN(date.getTime())) {
      throw new WirefeedError("USAGE", `expected an ISO 8601 instant with an offset, like 2025-05-04T00:00:00Z, got ${JSON.stringify(flag)}`, {
        field: "--now",
      });
    }
    return date;
  }
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== "") {
    if (!/^\d+$/.test(epoch)) {
      throw new WirefeedError("USAGE", `expected whole seconds since 1970, got ${JSON.stringify(epoch)}`, {
        field: "SOURCE_DATE_EPOCH",
      });
    }
    return new Date(Number(epoch) * 1000);
  }
  return undefined;
}
