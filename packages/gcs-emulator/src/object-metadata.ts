import { badRequest } from './errors';

/** Object fields a client may set when it creates an object (insert / session start body). */
export interface ObjectInit {
  contentType?: string;
  metadata?: Record<string, string>;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
}

/** What the emulator keeps per finalized object: its metadata JSON on disk. */
export interface ObjectMetadata extends ObjectInit {
  bucket: string;
  name: string;
  generation: string;
  metageneration: string;
  contentType: string;
  size: number;
  /** Absent on composite objects, as in Cloud Storage: only their CRC32C is known. */
  md5Hash?: string;
  crc32c: string;
  /** Set on composite objects: how many original uploads they are made of. */
  componentCount?: number;
  timeCreated: string;
  updated: string;
  /** The resumable session that produced it (never shown to clients): a restart that
   * finds the object committed but its session not yet marked done finishes the session. */
  uploadId?: string;
}

/** An object name as Cloud Storage accepts it (https://cloud.google.com/storage/docs/objects#naming):
 * 1-1024 bytes of UTF-8, no CR or LF, not `.` or `..`, not under `.well-known/acme-challenge/`. */
export function objectName(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw badRequest(`Required: the object name (${where})`, 'required');
  if (Buffer.byteLength(value) > 1024) throw badRequest('The object name is longer than 1024 bytes');
  if (/[\r\n]/.test(value)) throw badRequest('The object name holds a carriage return or line feed');
  if (value === '.' || value === '..')
    throw badRequest(`The object name ${JSON.stringify(value)} is not allowed: objects cannot be named . or ..`);
  if (value.startsWith('.well-known/acme-challenge/')) throw badRequest('Object names cannot start with .well-known/acme-challenge/');
  return value;
}

const INIT_STRINGS = ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl'] as const;

/** The settable fields of a client-sent object resource, type-checked; the rest is ignored. */
export function objectInitFrom(body: Record<string, unknown>): ObjectInit {
  const init: ObjectInit = {};
  for (const key of INIT_STRINGS) {
    if (typeof body[key] === 'string') init[key] = body[key];
  }
  const metadata = body.metadata;
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    init.metadata = Object.fromEntries(
      Object.entries(metadata as Record<string, unknown>)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
  }
  return init;
}
