import { badRequest } from '../errors';
import { readJsonObject, sendEmpty } from '../http-io';
import { preconditionsFrom } from '../preconditions';
import { requireBucket, type RouteContext } from '../route-context';
import { objectInitFrom, objectName } from '../object-metadata';
import { isBase64Digest } from '../checksums';

/** POST /upload/storage/v1/b/{bucket}/o?uploadType=resumable: opens a session and
 * answers 200 with its URI in Location (GCS-RESUMABLE.md §1). */
export async function startSession(ctx: RouteContext, bucket: string): Promise<void> {
  requireBucket(ctx, bucket);
  const preconditions = preconditionsFrom(ctx.query);
  const body = await readJsonObject(ctx.req);
  const name = objectName(ctx.query.get('name') ?? body.name, 'query parameter name or body field name');
  const init = objectInitFrom(body);
  init.contentType ??= header(ctx, 'x-upload-content-type');
  const sizeText = header(ctx, 'x-upload-content-length');
  if (sizeText !== undefined && !/^\d{1,16}$/.test(sizeText)) throw badRequest(`Invalid X-Upload-Content-Length: ${sizeText}`);
  const expected: { md5Hash?: string; crc32c?: string } = {};
  if (body.md5Hash !== undefined) expected.md5Hash = digest(body.md5Hash, 'md5Hash', 16);
  if (body.crc32c !== undefined) expected.crc32c = digest(body.crc32c, 'crc32c', 4);
  const session = await ctx.state.sessions.create({
    bucket,
    name,
    init,
    expected,
    ...(sizeText !== undefined ? { pinnedSize: Number(sizeText) } : {}),
    preconditions,
    ...(ctx.req.headers.origin ? { origin: ctx.req.headers.origin } : {}),
  });
  const { uploadId } = session.record;
  const location = `${ctx.base}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${uploadId}`;
  sendEmpty(ctx.res, 200, { Location: location, 'X-GUploader-UploadID': uploadId });
}

function header(ctx: RouteContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function digest(value: unknown, field: string, bytes: number): string {
  if (!isBase64Digest(value, bytes)) throw badRequest(`Invalid ${field}: expected base64 of ${bytes} bytes`);
  return value;
}
