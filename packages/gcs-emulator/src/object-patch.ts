import { badRequest } from './errors';
import type { ObjectMetadata } from './object-metadata';

const STRING_FIELDS = ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl'] as const;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** objects.patch: the fields the body names change (null clears one); `metadata`
 * merges key by key (a null value removes the key; `metadata: null` removes all).
 * Fields a client cannot change here (size, hashes, ACLs…) are ignored, as storage does. */
export function patchObject(current: ObjectMetadata, body: Record<string, unknown>): ObjectMetadata {
  const next: ObjectMetadata = { ...current };
  for (const field of STRING_FIELDS) {
    if (!(field in body)) continue;
    const value = stringOrNull(body[field], field);
    if (value === null) delete next[field];
    else next[field] = value;
  }
  if ('metadata' in body) {
    const changes = metadataOrNull(body.metadata);
    if (changes === null) {
      delete next.metadata;
    } else {
      const merged = { ...(current.metadata ?? {}) };
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      next.metadata = merged;
      if (Object.keys(merged).length === 0) delete next.metadata;
    }
  }
  next.contentType ||= DEFAULT_CONTENT_TYPE;
  return next;
}

/** objects.update: the settable fields become exactly the body's; absent ones are cleared. */
export function replaceObject(current: ObjectMetadata, body: Record<string, unknown>): ObjectMetadata {
  const cleared: ObjectMetadata = { ...current };
  for (const field of STRING_FIELDS) delete cleared[field];
  delete cleared.metadata;
  return patchObject(cleared, body);
}

function stringOrNull(value: unknown, field: string): string | null {
  if (value === null || typeof value === 'string') return value;
  throw badRequest(`Invalid value for ${field}: expected a string`);
}

function metadataOrNull(value: unknown): Record<string, string | null> | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('Invalid value for metadata: expected an object of strings');
  const out: Record<string, string | null> = {};
  for (const [key, each] of Object.entries(value as Record<string, unknown>)) {
    if (each !== null && typeof each === 'object') throw badRequest(`Invalid value for metadata.${key}: expected a string`);
    out[key] = each === null || each === undefined ? null : String(each);
  }
  return out;
}
