import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { WirefeedError } from "../errors.ts";

/** A run of UTF-8 bytes kept in a spill file, to be written into a document in its place. */
export interface SpilledPiece {
  readonly spill: Spill;
  /** Which use of the file (`reset` starts another): a piece of an earlier one is gone. */
  readonly round: number;
  /** Where the bytes start in the spill file. */
  readonly offset: number;
  /** How many bytes. */
  readonly length: number;
}

/**
 * A temporary file that holds the pieces of documents too large to hold in memory (issue 7: a
 * feed of 10,000 full items held all their HTML until its three documents were written), written
 * as they are made and read back as the documents are written. It lives in the system's temp
 * folder and is removed by `remove`, however the build ends.
 */
export interface Spill {
  /** Append the UTF-8 of `text`; where it went. */
  append(text: string): SpilledPiece;
  /** Copy `piece`'s bytes into `target` from `at`. */
  read(piece: SpilledPiece, target: Uint8Array, at: number): void;
  /** Empty the file for the next feed: every piece appended so far is gone. */
  reset(): void;
  /** Close and delete the file; later reads fail. Never throws. */
  remove(): void;
}

/** Bytes gathered before one write to the file. */
const PENDING_BYTES = 1 << 20;

/** A spill file, created on the first append. */
export function openSpill(): Spill {
  let dir: string | undefined;
  let fd: number | undefined;
  let written = 0;
  const pending = Buffer.allocUnsafe(PENDING_BYTES);
  let pendingBytes = 0;
  let removed = false;
  let round = 0;

  const fail = (cause: unknown): never => {
    const error = cause as NodeJS.ErrnoException;
    throw new WirefeedError("OUTPUT_UNWRITABLE", `cannot write a temporary file in ${os.tmpdir()}: ${error.code ?? ""} ${error.message}`.trim(), {
      cause,
      hint: error.code === "ENOSPC" ? "the disk is full; the previous feeds are unchanged" : "check that the temp folder (TMPDIR) is writable; the previous feeds are unchanged",
    });
  };
  const writeAll = (bytes: Uint8Array) => {
    if (fd === undefined) {
      dir = mkdtempSync(path.join(os.tmpdir(), "wirefeed-spill-"));
      fd = openSync(path.join(dir, "pieces"), "wx+");
    }
    // writeSync may write less than asked (a full disk): go on until every byte is written.
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, written + done);
    written += bytes.length;
  };
  const flush = () => {
    if (pendingBytes === 0) return;
    try {
      writeAll(pending.subarray(0, pendingBytes));
    } catch (error) {
      fail(error);
    }
    pendingBytes = 0;
  };

  const spill: Spill = {
    append(text) {
      if (removed) throw new Error("the spill file was removed");
      const offset = written + pendingBytes;
      const length = Buffer.byteLength(text, "utf8");
      if (length > PENDING_BYTES - pendingBytes) flush();
      if (length > PENDING_BYTES) {
        try {
          writeAll(Buffer.from(text, "utf8"));
        } catch (error) {
          fail(error);
        }
      } else pendingBytes += pending.write(text, pendingBytes, "utf8");
      return { spill, round, offset, length };
    },
    read(piece, target, at) {
      if (piece.spill !== spill || piece.round !== round || removed) throw new Error("a spilled piece read after its file was reset or removed, or from another file");
      flush();
      for (let done = 0; done < piece.length; ) {
        const read = readSync(fd as number, target, at + done, piece.length - done, piece.offset + done);
        if (read === 0) throw new Error(`the spill file ends before ${piece.offset + piece.length} bytes`);
        done += read;
      }
    },
    reset() {
      round++;
      pendingBytes = 0;
      written = 0;
      try {
        if (fd !== undefined) ftruncateSync(fd, 0);
      } catch (error) {
        fail(error);
      }
    },
    remove() {
      if (removed) return;
      removed = true;
      try {
        if (fd !== undefined) closeSync(fd);
      } catch {
        // Closed already: nothing more to do.
      }
      try {
        if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      } catch {
        // Left in the temp folder, which the system clears; the build's outcome does not change.
      }
    },
  };
  return spill;
}
