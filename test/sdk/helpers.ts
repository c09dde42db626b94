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

/**
 * Random bytes written to `path`: incompressible, and any misplaced chunk
 * changes the checksum. Shaped as the type the name declares, since the
 * content check identifies files positively: an `.mp4` opens with its ftyp
 * box, a `.txt` is printable ASCII.
 */
export function randomFile(path: string, size: number): Buffer {
  const bytes = randomBytes(size);
  if (path.endsWith('.txt')) for (let i = 0; i < size; i++) bytes[i] = 0x20 + (bytes[i] % 0x5f);
  if (path.endsWith('.mp4')) Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom')]).copy(bytes);
  writeFileSync(path, bytes);
  return bytes;
}
