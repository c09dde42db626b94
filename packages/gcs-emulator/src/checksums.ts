import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Crc32c } from './crc32c';

/** Base64 digests as the JSON API reports them (`crc32c` is the big-endian CRC32C). */
export interface Digests {
  md5Hash: string;
  crc32c: string;
}

/** MD5 and CRC32C of a byte stream, fed piece by piece (an upload keeps one per session). */
export class RunningChecksums {
  private readonly md5: Hash = createHash('md5');
  private readonly crc = new Crc32c();

  update(bytes: Buffer): void {
    this.md5.update(bytes);
    this.crc.update(bytes);
  }

  /** The digests so far; the running state stays usable. */
  digests(): Digests {
    return { md5Hash: this.md5.copy().digest('base64'), crc32c: this.crc.toString() };
  }

  /** Checksums of the first `length` bytes of a file (a session's part file after a restart). */
  static async ofFile(path: string, length: number): Promise<RunningChecksums> {
    const sums = new RunningChecksums();
    if (length === 0) return sums;
    for await (const piece of createReadStream(path, { start: 0, end: length - 1, highWaterMark: 1 << 20 })) {
      sums.update(piece as Buffer);
    }
    return sums;
  }
}

/** Parses `X-Goog-Hash: crc32c=…,md5=…` (either may be absent). */
export function parseGoogHash(header: string | undefined): Partial<Digests> {
  const found: Partial<Digests> = {};
  for (const pair of (header ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const kind = pair.slice(0, at).trim().toLowerCase();
    const value = pair.slice(at + 1).trim();
    if (kind === 'md5') found.md5Hash = value;
    if (kind === 'crc32c') found.crc32c = value;
  }
  return found;
}

/** The name of the first checksum that `expected` states and `actual` contradicts. */
export function checksumMismatch(expected: Partial<Digests>, actual: Digests): string | undefined {
  if (expected.md5Hash && expected.md5Hash !== actual.md5Hash) return `MD5 ${expected.md5Hash} (computed ${actual.md5Hash})`;
  if (expected.crc32c && expected.crc32c !== actual.crc32c) return `CRC32C ${expected.crc32c} (computed ${actual.crc32c})`;
  return undefined;
}

/** Whether `value` is the base64 of exactly `bytes` bytes (16 for MD5, 4 for CRC32C). */
export function isBase64Digest(value: unknown, bytes: number): value is string {
  return (
    typeof value === 'string' &&
    /^[A-Za-z0-9+/]+={0,2}$/.test(value) &&
    Buffer.from(value, 'base64').length === bytes &&
    Buffer.from(value, 'base64').toString('base64') === value
  );
}
