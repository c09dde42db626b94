import type { IncomingMessage } from 'node:http';

// A browser resuming an upload must read Range (where to go on) and the upload id.
const EXPOSED = 'Range, X-GUploader-UploadID, Location, Content-Length, Content-Range, Content-Type, ETag, X-Goog-Hash, X-Goog-Generation';
const METHODS = 'GET, PUT, POST, DELETE, OPTIONS';
// The request headers a client sends to a session URI, an upload start or an object read
// (JSON and XML APIs). A preflight is answered with this list, not with what it asked for,
// so a browser refuses a request carrying any other header.
const ALLOWED_HEADERS = [
  'Content-Range',
  'Content-Type',
  'Content-Length',
  'Content-MD5',
  'Range',
  'X-Upload-Content-Type',
  'X-Upload-Content-Length',
  'X-Goog-Hash',
  'X-Goog-Resumable',
  'X-Goog-Content-Length-Range',
  'X-Goog-Content-SHA256',
  'X-Goog-Api-Client',
  'X-Goog-User-Project',
  'X-Goog-If-Generation-Match',
  'X-Goog-If-Metageneration-Match',
];
const ALLOWED = new Set(ALLOWED_HEADERS.map((name) => name.toLowerCase()));
// Custom metadata travels as x-goog-meta-<key> on the XML API; any key is allowed.
const METADATA_PREFIX = 'x-goog-meta-';

/** Headers for an answer to `origin` (a session's origin, or an allowed browser origin). */
export function corsHeaders(origin: string): Record<string, string> {
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED, Vary: 'Origin' };
}

/** Headers for an OPTIONS preflight that `origin` may pass: the fixed allow-list, plus the
 * metadata headers it asked for; any other asked-for header is left out (case-insensitive). */
export function preflightHeaders(origin: string, req: IncomingMessage): Record<string, string> {
  const asked = (req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.startsWith(METADATA_PREFIX) && name.length > METADATA_PREFIX.length && !ALLOWED.has(name));
  return {
    ...corsHeaders(origin),
    'Access-Control-Allow-Methods': METHODS,
    'Access-Control-Allow-Headers': [...ALLOWED_HEADERS, ...new Set(asked)].join(', '),
    'Access-Control-Max-Age': '3600',
    Vary: 'Origin, Access-Control-Request-Headers',
  };
}

/** The request's Origin when `allowed` (the --cors-origin list, `*` for any) admits it. */
export function allowedOrigin(req: IncomingMessage, allowed: readonly string[]): string | undefined {
  const origin = req.headers.origin;
  if (!origin) return undefined;
  return allowed.includes('*') || allowed.includes(origin) ? origin : undefined;
}
