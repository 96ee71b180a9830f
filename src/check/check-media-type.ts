import { guessMediaType } from "../fields.ts";

/** Types that only look right: `feed@6` writes them (feed-standards D17). */
const NOT_REGISTERED: Record<string, string> = {
  "image/jpg": "image/jpeg",
  "image/mp3": "audio/mpeg",
  "audio/mp3": "audio/mpeg",
  "image/mp4": "video/mp4",
  "image/pdf": "application/pdf",
  "image/svg": "image/svg+xml",
};

/** Why a media type given for a URL is wrong, or undefined when it is fine. */
export function checkMediaType(type: string | undefined, url: string | undefined): string | undefined {
  if (type === undefined || type.trim() === "") return "expected a media type such as image/jpeg or audio/mpeg, got nothing";
  const essence = type.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(essence)) {
    return `expected a media type such as image/jpeg, got ${JSON.stringify(type)}`;
  }
  const registered = NOT_REGISTERED[essence];
  if (registered) return `${JSON.stringify(type)} is not a registered media type; use ${registered}`;
  const expected = url === undefined ? undefined : guessMediaType(url);
  if (expected && expected.split("/")[0] !== essence.split("/")[0]) {
    const extension = /\.([a-z0-9]+)$/i.exec(new URL(url as string).pathname)?.[1]?.toLowerCase();
    return `${JSON.stringify(type)} does not fit a .${extension} file; expected ${expected}`;
  }
  return undefined;
}
