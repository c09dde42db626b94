import { createReadStream } from 'node:fs';
import { crc32cHasher, type Progress } from '@files-api/sdk';

const PIECE = 8 << 20;

/**
 * The file's CRC32C, read once before the first byte is sent, so it can be pinned into the session.
 * The CLI computes it itself (rather than leaving it to uploadFile) to show this pass's progress and
 * to know, on Ctrl-C, that no session exists yet.
 */
export async function checksumOf(
  path: string,
  size: number,
  signal: AbortSignal,
  onProgress: (progress: Progress) => void,
): Promise<string> {
  const hasher = await crc32cHasher();
  const startedAt = Date.now();
  let done = 0;
  for await (const piece of createReadStream(path, { highWaterMark: PIECE, signal, end: size - 1 })) {
    hasher.update(piece as Buffer);
    done += (piece as Buffer).length;
    const seconds = (Date.now() - startedAt) / 1000;
    onProgress({ bytesSent: done, totalBytes: size, rate: seconds > 0 ? done / seconds : 0 });
  }
  if (done !== size) throw new Error(`the file changed while its checksum was computed (${done} of ${size} bytes)`);
  return hasher.digest();
}
