import { createCRC32 } from 'hash-wasm';
import type { ByteSource } from './byte-source.js';

/** CRC32C's (Castagnoli) reversed polynomial, as hash-wasm takes it. */
const CASTAGNOLI = 0x82f63b78;
const PIECE = 8 << 20;

export interface Crc32cHasher {
  update(bytes: Uint8Array): void;
  /** base64 of the big-endian 4 bytes, as Cloud Storage writes it */
  digest(): string;
}

/** hash-wasm's CRC32C: WebAssembly, so the same fast code runs in Node and in browsers. */
export async function crc32cHasher(): Promise<Crc32cHasher> {
  const hasher = await createCRC32(CASTAGNOLI);
  hasher.init();
  return {
    update: (bytes) => void hasher.update(bytes),
    digest: () => toBase64(hasher.digest('binary')),
  };
}

/** The CRC32C of a whole (seekable) source, read in pieces. */
export async function crc32cOf(source: ByteSource, signal?: AbortSignal): Promise<string> {
  const hasher = await crc32cHasher();
  const buffer = source.readInto ? new Uint8Array(Math.min(PIECE, source.size)) : undefined;
  for (let start = 0; start < source.size; start += PIECE) {
    signal?.throwIfAborted();
    const end = Math.min(source.size, start + PIECE);
    hasher.update(
      buffer && source.readInto ? await source.readInto(buffer.subarray(0, end - start), start) : await source.read(start, end),
    );
  }
  return hasher.digest();
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
