import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checksumMismatch, isBase64Digest, RunningChecksums, type Digests } from '../checksums';
import { badRequest } from '../errors';
import { sendJson } from '../http-io';
import { MultipartRelated, relatedBoundary } from '../multipart-related';
import { objectResource } from '../object-resource';
import { preconditionsFrom } from '../preconditions';
import { feedFromRequest } from '../receive-body';
import { requireBucket, type RouteContext } from '../route-context';
import { objectInitFrom, objectName, type ObjectInit } from '../object-metadata';

/** POST /upload/storage/v1/b/{bucket}/o?uploadType=media&name=…: the body is the object. */
export async function uploadMedia(ctx: RouteContext, bucket: string): Promise<void> {
  requireBucket(ctx, bucket);
  const name = objectName(ctx.query.get('name') ?? undefined, 'query parameter name');
  const contentType = ctx.req.headers['content-type'];
  await store(ctx, bucket, [], () => ({ name, init: contentType ? { contentType } : {}, expected: {} }));
}

/** POST …?uploadType=multipart: a JSON metadata part, then the media part. */
export async function uploadMultipart(ctx: RouteContext, bucket: string): Promise<void> {
  requireBucket(ctx, bucket);
  const boundary = relatedBoundary(ctx.req.headers['content-type']);
  if (!boundary) throw badRequest('uploadType=multipart needs Content-Type: multipart/related; boundary=…');
  const parts = new MultipartRelated(boundary);
  await store(ctx, bucket, [parts], () => {
    const body = parts.metadata ?? {};
    const name = objectName(ctx.query.get('name') ?? body.name, 'query parameter name or metadata field name');
    const init = objectInitFrom(body);
    init.contentType ??= parts.mediaType;
    const expected: Partial<Digests> = {};
    if (isBase64Digest(body.md5Hash, 16)) expected.md5Hash = body.md5Hash;
    if (isBase64Digest(body.crc32c, 4)) expected.crc32c = body.crc32c;
    return { name, init, expected };
  });
}

interface Described {
  name: string;
  init: ObjectInit;
  expected: Partial<Digests>;
}

/** Streams the body (through `stages`) to a scratch file with checksums, then commits
 * it as the object that `describe` (asked once the bytes are in) names. */
async function store(ctx: RouteContext, bucket: string, stages: Transform[], describe: () => Described): Promise<void> {
  const { state } = ctx;
  const preconditions = preconditionsFrom(ctx.query);
  const temp = join(state.layout.scratch, `${randomBytes(12).toString('hex')}.upload`);
  const sums = new RunningChecksums();
  let size = 0;
  const measure = new Transform({
    transform(piece: Buffer, _encoding, callback) {
      sums.update(piece);
      size += piece.length;
      callback(null, piece);
    },
  });
  try {
    const file = createWriteStream(temp, { flush: true });
    feedFromRequest(ctx.req, stages[0] ?? measure);
    await pipeline([...stages, measure, file]);
    const { name, init, expected } = describe();
    const digests = sums.digests();
    const mismatch = checksumMismatch(expected, digests);
    if (mismatch) throw badRequest(`Provided ${mismatch} does not match the uploaded data; the object was not created`);
    const obj = await state.objects.commit(bucket, name, temp, { init, size, digests }, preconditions);
    state.finalized(obj, ctx.base);
    sendJson(ctx.res, 200, objectResource(obj, ctx.base));
  } finally {
    await rm(temp, { force: true });
  }
}
