/** What an upload reads from: a Blob, a file on disk, a stream. */
export interface ByteSource {
  readonly size: number;
  /** a filename to register when the caller gives none */
  readonly name?: string;
  /** a MIME type to declare when the caller gives none */
  readonly type?: string;
  /** false for a stream: it reads forward only, and can re-read just its last read */
  readonly seekable: boolean;
  /** bytes [start, end) */
  read(start: number, end: number): Promise<Uint8Array>;
  /**
   * Optional: bytes from `start` into `target` (as many as fit, to the end),
   * answering the filled view. Lets an upload reuse two buffers instead of
   * allocating one per chunk, which keeps memory flat on large files.
   */
  readInto?(target: Uint8Array, start: number): Promise<Uint8Array>;
  close?(): Promise<void>;
}

export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    name: typeof (blob as File).name === 'string' && (blob as File).name ? (blob as File).name : undefined,
    type: blob.type || undefined,
    seekable: true,
    read: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
  };
}

export function isByteSource(value: unknown): value is ByteSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ByteSource).read === 'function' &&
    typeof (value as ByteSource).size === 'number'
  );
}

/**
 * A forward-only source over an async iterable of byte pieces (a Node
 * Readable, a web ReadableStream). A resumed upload skips what the session
 * already has; the last read is kept, because storage may persist only part
 * of a chunk and ask for its tail again.
 */
export function streamSource(pieces: AsyncIterable<Uint8Array>, size: number, meta: { name?: string; type?: string } = {}): ByteSource {
  const iterator = pieces[Symbol.asyncIterator]();
  let pending: Uint8Array = new Uint8Array(0);
  let position = 0; // offset of pending[0] in the stream
  let last: { start: number; bytes: Uint8Array } = { start: 0, bytes: new Uint8Array(0) };

  async function take(count: number): Promise<Uint8Array> {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      if (pending.length === 0) {
        const next = await iterator.next();
        if (next.done) throw new RangeError(`the stream ended at byte ${position}, before its declared size ${size}`);
        pending = next.value instanceof Uint8Array ? next.value : new Uint8Array(next.value as ArrayBuffer);
        continue;
      }
      const piece = pending.subarray(0, count - filled);
      out.set(piece, filled);
      filled += piece.length;
      pending = pending.subarray(piece.length);
      position += piece.length;
    }
    return out;
  }

  return {
    size,
    ...meta,
    seekable: false,
    async read(start, end) {
      const lastEnd = last.start + last.bytes.length;
      if (start >= last.start && end <= lastEnd) return last.bytes.subarray(start - last.start, end - last.start);
      if (start < position) {
        if (start < last.start || start > lastEnd) throw new RangeError(`a stream cannot go back to byte ${start}`);
        const head = last.bytes.subarray(start - last.start);
        const tail = await take(end - position);
        const joined = new Uint8Array(head.length + tail.length);
        joined.set(head);
        joined.set(tail, head.length);
        last = { start, bytes: joined };
        return joined;
      }
      while (position < start) await take(Math.min(start - position, 8 << 20));
      last = { start, bytes: await take(end - start) };
      return last.bytes;
    },
    async close() {
      await iterator.return?.();
    },
  };
}
