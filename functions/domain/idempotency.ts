import { createHash } from 'node:crypto';
import type { UploadUrlRequest } from '../generated/schema-types';

// Printable ASCII, as HTTP header values and common client libraries produce.
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function isValidIdempotencyKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Claims are per caller and organization: one client's key never collides with another's. */
export function claimId(organizationId: string, principalId: string, key: string): string {
  return sha256(`${organizationId}\n${principalId}\n${key}`);
}

/** What makes two requests "the same body": the normalized fields, in a fixed order. */
export function requestFingerprint(request: UploadUrlRequest): string {
  const { filename, file_size, mime_type, upload_type, crc32c, md5_hash, purpose, metadata } = request;
  const fields: unknown[] = [filename, file_size, mime_type, upload_type ?? 'resumable', crc32c ?? null, md5_hash ?? null];
  // Only when given: a key's fingerprint from before purposes existed still matches its body.
  if (purpose !== undefined || metadata !== undefined) fields.push(purpose ?? null, sortedPairs(metadata ?? {}));
  return sha256(JSON.stringify(fields));
}

/** The same for a webhook endpoint's create: what it asks for, with the defaults an omitted field takes. */
export function webhookFingerprint(request: { url: string; event_types?: readonly string[]; description?: string }): string {
  const types = [...(request.event_types ?? [])].sort();
  return sha256(JSON.stringify(['webhook', request.url, types, request.description ?? '']));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The same for a direct upload: the file as stored (name, size, type, CRC32C) and what was said of it. */
export function uploadFingerprint(upload: {
  filename: string;
  file_size: number;
  mime_type: string;
  crc32c: string;
  purpose: string;
  metadata: Record<string, string>;
}): string {
  const { filename, file_size, mime_type, crc32c, purpose, metadata } = upload;
  return sha256(JSON.stringify(['direct', filename, file_size, mime_type, crc32c, purpose, sortedPairs(metadata)]));
}

const sortedPairs = (metadata: Record<string, string | undefined>) =>
  Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
