import { GcsError } from '../errors';
import { parseByteRange } from '../byte-range';
import type { RouteContext } from '../route-context';
import { verifySignedUrl } from '../signed-url';
import { XmlError } from '../xml-error';
import { sendMedia } from './media';

/** GET and HEAD of `/{bucket}/{object}` (the XML API's path) with a V4 signature in the
 * query, as `file.getSignedUrl({ version: 'v4', action: 'read' })` makes them: verified,
 * then served like a download (Range → 206), with `response-content-type` and
 * `response-content-disposition` overriding the stored headers. */
export async function signedRead(ctx: RouteContext, path: string): Promise<void> {
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') {
    throw new XmlError(
      501,
      'NotImplemented',
      'A header or query you provided requested a function that is not implemented.',
      `The storage emulator accepts signed URLs for GET and HEAD only, not ${ctx.req.method}.`,
    );
  }
  const match = /^\/([^/]+)\/(.+)$/.exec(path);
  if (!match) throw new XmlError(400, 'InvalidArgument', 'Invalid argument.', 'A signed URL names /{bucket}/{object}.');
  verifySignedUrl(ctx.req, path, ctx.query, ctx.state.signingKey);
  const [bucket, name] = [decodeSegment(match[1]), decodeSegment(match[2])];
  if (!ctx.state.buckets.get(bucket)) throw new XmlError(404, 'NoSuchBucket', 'The specified bucket does not exist.');
  const obj = ctx.state.objects.get(bucket, name);
  if (!obj) throw new XmlError(404, 'NoSuchKey', 'The specified key does not exist.', `No such object: ${bucket}/${name}`);
  try {
    parseByteRange(ctx.req.headers.range, obj.size);
  } catch (err) {
    if (err instanceof GcsError) throw new XmlError(416, 'InvalidRange', 'The requested range cannot be satisfied.', err.message);
    throw err;
  }
  const contentType = ctx.query.get('response-content-type');
  const contentDisposition = ctx.query.get('response-content-disposition');
  await sendMedia(ctx, obj, { ...(contentType ? { contentType } : {}), ...(contentDisposition ? { contentDisposition } : {}) });
}

function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new XmlError(400, 'InvalidArgument', 'Invalid argument.', `Malformed percent-encoding: ${text}`);
  }
}
