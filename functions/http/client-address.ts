import type { IncomingMessage } from 'node:http';

/**
 * The address of the client that sent the request, as the proxies in front of
 * the function recorded it. Each appends the address it received the request
 * from to X-Forwarded-For, so the entries a client wrote itself come first and
 * cannot be trusted; the client's address is `hops` entries from the end (one:
 * Google's front end before Cloud Run; two: API Gateway's, then the front end
 * before Cloud Run, which records the gateway). docs/ABUSE-LIMITS.md cites how.
 * With `hops` 0, or fewer entries than hops, the socket's peer.
 */
export function clientAddress(req: IncomingMessage, hops: number): string {
  const header = req.headers['x-forwarded-for'];
  if (hops === 0 || header === undefined) return peer(req);
  const entries = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.length >= hops ? entries[entries.length - hops] : peer(req);
}

const peer = (req: IncomingMessage) => req.socket?.remoteAddress ?? 'unknown';
