import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parseByteRange } from '../byte-range';
import type { RouteContext } from '../route-context';
import type { ObjectMetadata } from '../object-metadata';

/** The object's bytes (or, for HEAD, only the headers), whole or the `Range` asked for
 * (206), with the headers the official client validates downloads with (`x-goog-hash`,
 * stored encoding); `overrides` are a signed URL's response-content-* parameters.
 * Decompressive transcoding as in Cloud Storage
 * (https://cloud.google.com/storage/docs/transcoding): an object stored with
 * `Content-Encoding: gzip` goes out decompressed to a client that does not accept gzip,
 * whole (Range ignored) and without Content-Length or hashes, which describe the
 * stored bytes. `Cache-Control: no-transform` turns that off. */
export async function sendMedia(
  ctx: RouteContext,
  obj: ObjectMetadata,
  overrides: { contentType?: string; contentDisposition?: string } = {},
): Promise<void> {
  const transcode = transcodes(obj, ctx.req);
  const span = transcode ? undefined : parseByteRange(ctx.req.headers.range, obj.size);
  // Opened before answering: a concurrent overwrite or delete unlinks, it cannot cut this read short.
  const file = await open(ctx.state.objects.dataPath(obj), 'r');
  try {
    const headers: Record<string, string | number> = {
      'Content-Type': overrides.contentType ?? obj.contentType,
      ETag: `"${obj.md5Hash ?? `${obj.generation}/${obj.metageneration}`}"`,
      'Last-Modified': new Date(obj.updated).toUTCString(),
      'x-goog-generation': obj.generation,
      'x-goog-metageneration': obj.metageneration,
      'x-goog-stored-content-length': obj.size,
      'x-goog-stored-content-encoding': obj.contentEncoding ?? 'identity',
      ...((overrides.contentDisposition ?? obj.contentDisposition)
        ? { 'Content-Disposition': overrides.contentDisposition ?? obj.contentDisposition }
        : {}),
      ...(obj.cacheControl ? { 'Cache-Control': obj.cacheControl } : {}),
    };
    if (!transcode) {
      headers['Accept-Ranges'] = 'bytes';
      headers['x-goog-hash'] = obj.md5Hash ? `crc32c=${obj.crc32c},md5=${obj.md5Hash}` : `crc32c=${obj.crc32c}`;
      if (obj.contentEncoding) headers['Content-Encoding'] = obj.contentEncoding;
      headers['Content-Length'] = span ? span.end - span.start + 1 : obj.size;
      if (span) headers['Content-Range'] = `bytes ${span.start}-${span.end}/${obj.size}`;
    }
    ctx.res.writeHead(span ? 206 : 200, headers);
    if (obj.size === 0 || ctx.req.method === 'HEAD') {
      ctx.res.end();
      return;
    }
    const bytes = file.createReadStream({
      start: span?.start ?? 0,
      end: span?.end ?? obj.size - 1,
      autoClose: false,
      highWaterMark: 1 << 20,
    });
    await (transcode ? pipeline(bytes, createGunzip(), ctx.res) : pipeline(bytes, ctx.res));
  } finally {
    await file.close();
  }
}

function transcodes(obj: ObjectMetadata, req: IncomingMessage): boolean {
  if (obj.contentEncoding?.trim().toLowerCase() !== 'gzip') return false;
  if (/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(obj.cacheControl ?? '')) return false;
  return !acceptsGzip(req.headers['accept-encoding']);
}

function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((each) => {
    const [coding, ...params] = each.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}
