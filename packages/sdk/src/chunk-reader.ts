import type { ByteSource } from './byte-source.js';

/**
 * Reads an upload's chunks, one ahead of the one travelling. Over a source
 * that can read into a buffer it rotates two buffers of the chunk size (one
 * in flight, one being filled), so a 5 GB upload allocates two chunks in all.
 */
export function chunkReader(source: ByteSource, chunkSize: number) {
  const slots = source.readInto
    ? [new Uint8Array(Math.min(chunkSize, source.size)), new Uint8Array(Math.min(chunkSize, source.size))]
    : undefined;
  const busy: Array<Promise<unknown>> = [Promise.resolve(), Promise.resolve()];
  let next = 0;
  let ahead: { start: number; end: number; bytes: Promise<Uint8Array> } | undefined;

  /** A read into the next slot, once that slot's previous read has settled (its PUT is over by then). */
  function start(from: number, to: number): Promise<Uint8Array> {
    if (!slots || !source.readInto) return source.read(from, to);
    const slot = next;
    next = 1 - next;
    const bytes = busy[slot].then(() => source.readInto!(slots[slot].subarray(0, to - from), from));
    busy[slot] = bytes.catch(() => undefined);
    return bytes;
  }

  return {
    /** bytes [from, to): the read ahead when it is that range, else a new read */
    read(from: number, to: number): Promise<Uint8Array> {
      const hit = ahead && ahead.start === from && ahead.end === to ? ahead.bytes : undefined;
      ahead = undefined;
      return hit ?? start(from, to);
    },
    /** starts reading [from, to) while the current chunk travels */
    readAhead(from: number, to: number): void {
      ahead = { start: from, end: to, bytes: start(from, to) };
      ahead.bytes.catch(() => undefined);
    },
  };
}
