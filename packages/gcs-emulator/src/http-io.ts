import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, GcsError } from './errors';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0 });
  res.end();
}

const JSON_BODY_LIMIT = 1 << 20;

/** A small JSON object body (metadata); an empty body or `null` is `{}`. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of req) {
    size += (piece as Buffer).length;
    if (size > JSON_BODY_LIMIT) throw new GcsError(413, 'uploadTooLarge', 'Metadata body too large');
    pieces.push(piece as Buffer);
  }
  const text = Buffer.concat(pieces).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('Parse Error: the request body is not valid JSON', 'parseError');
  }
  // Go clients send `null` for a call without a resource (rclone's rewrite).
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('The request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** The declared body length, or undefined for a chunked (streamed) body. */
export function contentLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  return header === undefined ? undefined : Number(header);
}
