import { crc32c } from '@node-rs/crc32';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

export const MIB = 1024 * 1024;

/** base64 of the big-endian CRC32C, as Cloud Storage writes it */
export function crc32cBase64(bytes: Uint8Array): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32c(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) >>> 0);
  return out.toString('base64');
}

/** Random bytes written to `path`: incompressible, and any misplaced chunk changes the checksum. */
export function randomFile(path: string, size: number): Buffer {
  const bytes = randomBytes(size);
  writeFileSync(path, bytes);
  return bytes;
}
