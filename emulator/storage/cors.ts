import type { IncomingMessage } from 'node:http';

// A browser resuming an upload must read Range (where to go on) and the upload id.
const EXPOSED = 'Range, X-GUploader-UploadID, Location, Content-Length, Content-Range, Content-Type, ETag, X-Goog-Hash, X-Goog-Generation';
const METHODS = 'GET, PUT, POST, DELETE, OPTIONS';
const DEFAULT_ALLOWED_HEADERS =
  'Content-Range, Content-Type, Content-Length, Range, X-Goog-Hash, X-Upload-Content-Type, X-Upload-Content-Length';

/** Headers for an answer to `origin` (a session's origin, or an allowed browser origin). */
export function corsHeaders(origin: string): Record<string, string> {
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED, Vary: 'Origin' };
}

/** Headers for an OPTIONS preflight that `origin` may pass. */
export function preflightHeaders(origin: string, req: IncomingMessage): Record<string, string> {
  const asked = req.headers['access-control-request-headers'];
  return {
    ...corsHeaders(origin),
    'Access-Control-Allow-Methods': METHODS,
    'Access-Control-Allow-Headers': asked ? `${DEFAULT_ALLOWED_HEADERS}, ${asked}` : DEFAULT_ALLOWED_HEADERS,
    'Access-Control-Max-Age': '3600',
  };
}

/** The request's Origin when `allowed` (the --cors-origin list, `*` for any) admits it. */
export function allowedOrigin(req: IncomingMessage, allowed: readonly string[]): string | undefined {
  const origin = req.headers.origin;
  if (!origin) return undefined;
  return allowed.includes('*') || allowed.includes(origin) ? origin : undefined;
}
