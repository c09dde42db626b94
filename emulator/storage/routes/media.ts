import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseByteRange } from '../byte-range';
import type { RouteContext } from '../route-context';
import type { StoredObject } from '../stored-object';

/** The object's bytes, whole or the `Range` asked for (206), with the headers the
 * official client validates downloads with (`x-goog-hash`, stored encoding). */
export async function sendMedia(ctx: RouteContext, obj: StoredObject): Promise<void> {
  const span = parseByteRange(ctx.req.headers.range, obj.size);
  // Opened before answering: a concurrent overwrite or delete unlinks, it cannot cut this read short.
  const file = await open(ctx.state.objects.dataPath(obj), 'r');
  try {
    const headers: Record<string, string | number> = {
      'Content-Type': obj.contentType,
      'Accept-Ranges': 'bytes',
      ETag: `"${obj.md5Hash}"`,
      'Last-Modified': new Date(obj.updated).toUTCString(),
      'x-goog-hash': `crc32c=${obj.crc32c},md5=${obj.md5Hash}`,
      'x-goog-generation': obj.generation,
      'x-goog-metageneration': obj.metageneration,
      'x-goog-stored-content-length': obj.size,
      'x-goog-stored-content-encoding': obj.contentEncoding ?? 'identity',
      ...(obj.contentEncoding ? { 'Content-Encoding': obj.contentEncoding } : {}),
      ...(obj.contentDisposition ? { 'Content-Disposition': obj.contentDisposition } : {}),
      ...(obj.cacheControl ? { 'Cache-Control': obj.cacheControl } : {}),
    };
    if (span) {
      headers['Content-Range'] = `bytes ${span.start}-${span.end}/${obj.size}`;
      headers['Content-Length'] = span.end - span.start + 1;
    } else {
      headers['Content-Length'] = obj.size;
    }
    ctx.res.writeHead(span ? 206 : 200, headers);
    if (obj.size === 0) {
      ctx.res.end();
      return;
    }
    const bytes = file.createReadStream({ start: span?.start ?? 0, end: span?.end ?? obj.size - 1, autoClose: false, highWaterMark: 1 << 20 });
    await pipeline(bytes, ctx.res);
  } finally {
    await file.close();
  }
}
