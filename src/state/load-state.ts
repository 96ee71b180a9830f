import { readFile } from "node:fs/promises";
import path from "node:path";
import { EMPTY_STATE, type FeedState } from "./feed-state.ts";

/** Read the state file; a missing or damaged one counts as empty (it only refines `updated`). */
export async function loadState(root: string, file: string): Promise<FeedState> {
  const text = await readFile(path.resolve(root, file), "utf8").catch(() => undefined);
  if (text === undefined) return EMPTY_STATE;
  try {
    const parsed = JSON.parse(text) as FeedState;
    return parsed?.version === 1 && typeof parsed.feeds === "object" && parsed.feeds !== null ? parsed : EMPTY_STATE;
  } catch {
    return EMPTY_STATE;
  }
}

export function serializeState(state: FeedState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}
