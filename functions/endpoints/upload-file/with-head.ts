import type { Readable } from 'node:stream';

/**
 * The first `size` bytes of a stream (fewer if it is shorter) and all of its
 * bytes, head included, to read on: the head is held, never the whole.
 */
export async function withHead(stream: Readable, size: number): Promise<{ head: Buffer; bytes: AsyncIterable<Buffer> }> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const held: Buffer[] = [];
  let length = 0;
  while (length < size) {
    const next = await chunks.next();
    if (next.done) break;
    held.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(held, length);
  const rest = { [Symbol.asyncIterator]: () => chunks };
  async function* all() {
    if (head.length > 0) yield head;
    yield* rest;
  }
  return { head: head.subarray(0, size), bytes: all() };
}
