/**
 * A JSON Feed's text cut into its envelope and its items, when it is laid out as
 * `JSON.stringify(feed, null, 2)` lays out a feed: the gate (`gate/check-json-feed.ts`) and
 * `wirefeed check` (`check/check-json.ts`) so check a feed an item at a time.
 */

/** Where the items array opens: the key `"items"` at the root's indent. */
const ITEMS_OPEN = '\n  "items": [';
/** An item opens and closes at two indents: deeper braces are indented further. */
const ITEM_OPEN = "\n    {";
const ITEM_CLOSE = "\n    }";
const NEXT_ITEM = `,${ITEM_OPEN}`;
const ITEMS_CLOSE = "\n  ]";

/** Where a cut starts in the whole text: its offset, and its 1-based line. */
export interface JsonFeedPlace {
  offset: number;
  line: number;
}

export interface JsonFeedSplit {
  /** The next piece of the text. False once the text is found not to be laid out so: no more is wanted. */
  write(text: string): boolean;
  /**
   * The first and last cuts, and where the last starts; undefined when the text is not laid out
   * so. `head + tail` is the feed with `items` empty, `head + "0" + tail` the feed with one item, 0.
   */
  end(): { head: string; tail: string; tailAt: JsonFeedPlace } | undefined;
}

/**
 * Cut a feed's text, given in pieces, into the feed up to `"items": [`, each item from `{` to its
 * `}` (handed to `onItem` with its index and where it starts in the text, as soon as it is read; a false
 * answer stops the split), the exact `,` and line break between two items, and the rest from the
 * closing `]` on: the first and last cuts joined are the envelope with `items` empty. The first
 * cut goes to `onHead` as soon as it is read.
 *
 * At most `maxPart` characters are gathered while looking for the next cut: past that the text
 * is taken not to be laid out so, which keeps a search for a cut that never comes short. Pieces
 * are searched as they come, with no string made of them until a cut is found.
 */
export function createJsonFeedSplit(
  onItem: (text: string, index: number, at: JsonFeedPlace) => boolean,
  maxPart: number,
  onHead: (text: string) => void = () => {},
): JsonFeedSplit {
  let state: "head" | "between" | "item" | "tail" | "failed" = "head";
  let head = "";
  /** The text read and not yet cut, in pieces, and their length. */
  let pieces: string[] = [];
  let length = 0;
  /** Where the pieces start in the whole text. */
  let offset = 0;
  let line = 1;
  /** The search for the next cut: how many pieces it has looked through, their length, and the end of the last that the next piece may complete. */
  let searched = 0;
  let searchedLength = 0;
  let carry = "";
  let index = 0;

  /** The text not yet cut, as one string. */
  const buffer = (): string => {
    if (pieces.length > 1) pieces = [pieces.join("")];
    return pieces[0] ?? "";
  };
  /** Take the first `count` characters off the text not yet cut. */
  const take = (count: number): string => {
    const text = buffer();
    pieces = count < text.length ? [text.slice(count)] : [];
    const taken = text.slice(0, count);
    length -= count;
    offset += count;
    for (let at = taken.indexOf("\n"); at !== -1; at = taken.indexOf("\n", at + 1)) line++;
    searched = 0;
    searchedLength = 0;
    carry = "";
    return taken;
  };
  /** Where `pattern` first is in the text not yet cut; -1 until it comes. */
  const find = (pattern: string): number => {
    while (searched < pieces.length) {
      const window = carry + (pieces[searched] as string);
      const at = window.indexOf(pattern);
      if (at >= 0) return searchedLength - carry.length + at;
      // Only what is added next can complete it.
      carry = window.slice(Math.max(0, window.length - pattern.length + 1));
      searchedLength += (pieces[searched] as string).length;
      searched++;
    }
    return -1;
  };
  /** Cut what can be cut; false when more text is needed. */
  const step = (): boolean => {
    if (state === "head") {
      const open = find(ITEMS_OPEN);
      if (open < 0) return false;
      head = take(open + ITEMS_OPEN.length);
      onHead(head);
      state = "between";
      return true;
    }
    if (state === "between") {
      // What follows `[` or an item: the next item's `{` (after a comma, but for the first), or the end of the array.
      const start = index === 0 ? ITEM_OPEN : NEXT_ITEM;
      const close = index === 0 ? "]" : ITEMS_CLOSE;
      const text = buffer().slice(0, Math.max(start.length, close.length));
      if (text.startsWith(close)) {
        state = "tail";
        return true;
      }
      if (text.startsWith(start)) {
        take(start.length - 1);
        state = "item";
        return true;
      }
      if (start.startsWith(text) || close.startsWith(text)) return false;
      state = "failed";
      return true;
    }
    if (state === "item") {
      const end = find(ITEM_CLOSE);
      if (end < 0) return false;
      const at = { offset, line };
      const text = take(end + ITEM_CLOSE.length);
      state = onItem(text, index++, at) ? "between" : "failed";
      return true;
    }
    return false;
  };

  /** Whether more text is wanted: still looking for a cut past `maxPart`, it is not coming. */
  const settle = (): boolean => {
    if (state !== "tail" && state !== "failed" && length > maxPart) state = "failed";
    if (state !== "failed") return true;
    pieces = [];
    length = 0;
    return false;
  };

  return {
    write(text) {
      if (state === "failed") return false;
      pieces.push(text);
      length += text.length;
      if (state === "tail") return true;
      while (step());
      return settle();
    },
    end() {
      if (state !== "tail") return undefined;
      return { head, tail: buffer(), tailAt: { offset, line } };
    },
  };
}
