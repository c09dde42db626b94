import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transform } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { AlignedHasher } from '../aligned-hasher';
import { checksumMismatch, isBase64Digest, RunningChecksums, type Digests } from '../checksums';
import { badRequest } from '../errors';
import { PartFileSink } from '../part-file-sink';
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
 * it as the object that `describe` (asked once the bytes are in) names. The file is
 * written as a session's part file is (PartFileSink: ~512 KiB writes, hashed on the
 * way), so an upload costs the same in one request as through a session. */
async function store(ctx: RouteContext, bucket: string, stages: Transform[], describe: () => Described): Promise<void> {
  const { state } = ctx;
  const preconditions = preconditionsFrom(ctx.query);
  const temp = join(state.layout.scratch, `${randomBytes(12).toString('hex')}.upload`);
  const sums = new RunningChecksums();
  const hasher = new AlignedHasher(sums);
  const file = await open(temp, 'w');
  try {
    const sink = new PartFileSink({
      file,
      position: 0,
      skip: 0,
      limit: Infinity,
      overflow: () => badRequest('The request body is too long'),
      hasher,
    });
    const chain = [...stages, sink];
    feedFromRequest(ctx.req, chain[0]);
    await (stages.length > 0 ? pipeline(chain) : finished(sink));
    await sink.settled();
    hasher.keepTail();
    await file.datasync();
    await file.close();
    const { name, init, expected } = describe();
    const digests = sums.digests();
    const mismatch = checksumMismatch(expected, digests);
    if (mismatch) throw badRequest(`Provided ${mismatch} does not match the uploaded data; the object was not created`);
    const obj = await state.objects.commit(bucket, name, temp, { init, size: sink.appended, digests }, preconditions);
    state.finalized(obj, ctx.base);
    sendJson(ctx.res, 200, objectResource(obj, ctx.base));
  } finally {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
  }
}
