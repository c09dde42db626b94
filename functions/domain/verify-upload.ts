import { contentMismatch } from './content-sniff';
import type { FileRecord } from './file-record';
import { normalizeMimeType } from './mime-type';
import type { StoredObject } from './ports';

export interface Mismatch {
  field: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Storage is the source of truth: the object must be the one this record
 * issued, of the declared size and type, with any checksum the client pinned,
 * and its first bytes must be what the declared type says (content-sniff.ts).
 */
export function verifyObject(record: FileRecord, object: StoredObject, head: Buffer): Mismatch | undefined {
  if (object.metadata.file_id !== record.id) return { field: 'file_id', expected: record.id, actual: object.metadata.file_id ?? null };
  if (object.size !== record.file_size) return { field: 'file_size', expected: record.file_size, actual: object.size };
  const contentType = object.contentType ? normalizeMimeType(object.contentType) : '';
  if (contentType !== record.mime_type) return { field: 'mime_type', expected: record.mime_type, actual: contentType };
  if (record.crc32c && object.crc32c !== record.crc32c) return { field: 'crc32c', expected: record.crc32c, actual: object.crc32c ?? null };
  if (record.md5_hash && object.md5Hash !== record.md5_hash) {
    return { field: 'md5_hash', expected: record.md5_hash, actual: object.md5Hash ?? null };
  }
  const sniffed = contentMismatch(record.mime_type, head, head.length >= object.size);
  if (sniffed) return { field: 'content', expected: record.mime_type, actual: sniffed };
  return undefined;
}
