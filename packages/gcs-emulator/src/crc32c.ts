import { crc32c } from '@node-rs/crc32';

/** A running CRC32C in native (SIMD) code: a JavaScript table loop was half the
 * emulator's CPU on large uploads. The state is one uint32, so resuming is cheap. */
export class Crc32c {
  private state = 0;

  update(bytes: Buffer): void {
    this.state = crc32c(bytes, this.state);
  }

  /** Base64 of the big-endian 4 bytes, as the JSON API and X-Goog-Hash carry it. */
  toString(): string {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(this.state);
    return bytes.toString('base64');
  }
}
