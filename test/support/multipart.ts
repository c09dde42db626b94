import { crc32c } from '@node-rs/crc32';
import { request as httpRequest } from 'node:http';

/** A part of a hand-made multipart/form-data body: a field, or a file when it has a filename. */
export interface Part {
  name: string;
  value: Buffer | string;
  filename?: string;
  type?: string;
}

export const BOUNDARY = 'test-boundary-7f3a';

/** The body as a client sends it (CRLF line breaks), with its closing boundary unless `unterminated`. */
export function multipartBody(parts: Part[], options: { unterminated?: boolean } = {}): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`;
    const headers = [`Content-Disposition: ${disposition}`, ...(part.type ? [`Content-Type: ${part.type}`] : [])];
    pieces.push(Buffer.from(`--${BOUNDARY}\r\n${headers.join('\r\n')}\r\n\r\n`), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  if (!options.unterminated) pieces.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(pieces);
}

/** base64 of the big-endian CRC32C, as Cloud Storage writes it. */
export function crc32cBase64(bytes: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32c(bytes) >>> 0);
  return out.toString('base64');
}

export interface RawAnswer {
  status: number;
  body: { error?: { code: string; message: string; details: Record<string, unknown> } } & Record<string, unknown>;
}

/**
 * POST with node:http, so the test controls the framing: `send` writes the
 * body (in pieces, or not all of it); the answer is whatever comes back,
 * or 'closed' when the connection ends without one.
 */
export function rawPost(
  url: string,
  headers: Record<string, string>,
  send: (write: (chunk: Buffer) => boolean, end: () => void, destroy: () => void) => void,
): Promise<RawAnswer | 'closed'> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
      res.on('error', () => resolve('closed'));
    });
    req.on('error', () => resolve('closed'));
    send(
      (chunk) => req.write(chunk),
      () => req.end(),
      () => req.destroy(),
    );
  });
}
