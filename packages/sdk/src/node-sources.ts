import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { streamSource, type ByteSource } from './byte-source.js';

/** A file on disk, read by position, so any chunk can be read again. */
export async function pathSource(path: string): Promise<ByteSource> {
  const handle = await open(path, 'r');
  const fill = async (target: Uint8Array, start: number): Promise<Uint8Array> => {
    let filled = 0;
    while (filled < target.length) {
      const { bytesRead } = await handle.read(target, filled, target.length - filled, start + filled);
      if (bytesRead === 0) throw new RangeError(`${path} shrank while it was being uploaded`);
      filled += bytesRead;
    }
    return target;
  };
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new TypeError(`${path} is not a regular file`);
    return {
      size: stat.size,
      name: basename(path),
      seekable: true,
      read: (start, end) => fill(Buffer.allocUnsafe(end - start), start),
      readInto: (target, start) => fill(target.subarray(0, Math.min(target.length, stat.size - start)), start),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** A Node Readable of a size the caller knows. */
export function readableSource(stream: Readable, size: number, meta: { name?: string; type?: string } = {}): ByteSource {
  if (!Number.isSafeInteger(size) || size < 0) throw new TypeError('a stream source needs its size in bytes');
  return streamSource(stream, size, meta);
}

export function isReadable(value: unknown): value is Readable {
  return value instanceof Readable;
}
