/** Cloud Storage object names are at most 1024 bytes of UTF-8. */
export const MAX_OBJECT_NAME_BYTES = 1024;

// Characters GCS advises against in object names (wildcards, fragment and
// bracket syntax of tools), control characters, and path separators; and
// invisible or direction-changing ones (format characters such as U+202E,
// U+200B-U+200F, U+2066-U+2069, U+FEFF; line and paragraph separators), so an
// object name reads as what it is: `invoice\u202efdp.exe` is `invoice_fdp.exe`.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f#[\]*?/\\\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `files/{org}/{file_id}/{name}`: the object the session writes. */
export function gcsPath(organizationId: string, fileId: string, filename: string): string {
  const prefix = `files/${organizationId}/${fileId}/`;
  return prefix + safeObjectFilename(filename, MAX_OBJECT_NAME_BYTES - Buffer.byteLength(prefix));
}

/**
 * The filename made safe for an object name: unsafe characters become `_`, and
 * a name too long for the byte budget loses the end of its stem, never its
 * extension, and never half a character.
 */
export function safeObjectFilename(filename: string, maxBytes: number): string {
  const cleaned = filename.normalize('NFC').replace(UNSAFE, '_');
  if (Buffer.byteLength(cleaned) <= maxBytes) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  const stem = cleaned.slice(0, cleaned.length - ext.length);
  return truncateToBytes(stem, maxBytes - Buffer.byteLength(ext)) + ext;
}

function truncateToBytes(text: string, maxBytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (used + size > maxBytes) break;
    out += ch;
    used += size;
  }
  return out;
}

// The organization segment by the organization-id rule, so `..`, `__x__` and
// other names no organization can have never reach a backend.
const GCS_PATH = /^files\/([A-Za-z0-9][A-Za-z0-9_-]{0,127})\/(file_[A-Za-z0-9]+)\/[^/]+$/;

/** The organization and file a `gcs_path` was issued for, if it has the shape of one. */
export function parseGcsPath(path: string): { organizationId: string; fileId: string } | undefined {
  const m = path.match(GCS_PATH);
  return m ? { organizationId: m[1], fileId: m[2] } : undefined;
}

/** The `upload` metadata of an object a direct upload wrote: its record comes after it. */
export const DIRECT_UPLOAD = 'direct';
