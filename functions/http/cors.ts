import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOW_METHODS = 'GET, POST, PATCH, DELETE';
const ALLOW_HEADERS = 'X-API-Key, Content-Type, Idempotency-Key, traceparent';
const EXPOSE_HEADERS = 'X-Request-Id, Retry-After';
// Chromium caches a preflight for at most 2 hours, Firefox for 24.
const MAX_AGE_SECONDS = '7200';

/**
 * CORS for the browser origins the deployment lists, and for no other: an
 * allowed origin gets the headers on every answer, errors included, so a page
 * can read the envelope. Credentials are never allowed: the API key is a header
 * the page sets, not a cookie the browser adds. Returns true for a preflight of
 * an allowed origin, which the caller answers with 204 and nothing else.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowedOrigins: ReadonlySet<string>): boolean {
  if (allowedOrigins.size === 0) return false;
  // The answer depends on Origin, so no cache may reuse it for another.
  res.setHeader('Vary', 'Origin');
  const origin = req.headers.origin;
  if (origin === undefined || !allowedOrigins.has(origin)) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    res.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
    res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
    res.setHeader('Access-Control-Max-Age', MAX_AGE_SECONDS);
    return true;
  }
  res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  return false;
}

/** An origin exactly as a browser sends it: scheme, host, and a port only when not the default. */
export function isSerializedOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}
