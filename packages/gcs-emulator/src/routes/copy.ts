import { rm } from 'node:fs/promises';
import { notFound } from '../errors';
import { readJsonObject, sendJson } from '../http-io';
import { objectResource } from '../object-resource';
import { checkPreconditions, preconditionsFrom } from '../preconditions';
import { requireBucket, type RouteContext } from '../route-context';
import { objectInitFrom, objectName, type ObjectInit, type ObjectMetadata } from '../object-metadata';

const INIT_FIELDS = ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl', 'metadata'] as const;

/** objects.rewrite (…/o/{src}/rewriteTo/b/{dstBucket}/o/{dst}) and objects.copy
 * (…/copyTo/…): a server-side copy, done in one call (the bytes are shared, never
 * re-read). The destination keeps the source's metadata except for the fields the
 * request body states. Source conditions are `ifSource…`; the plain ones guard the
 * destination. */
export async function copyObject(
  ctx: RouteContext,
  [sourceBucket, sourceName, bucket, rawName]: string[],
  answer: 'rewrite' | 'copy',
): Promise<void> {
  requireBucket(ctx, sourceBucket);
  requireBucket(ctx, bucket);
  const name = objectName(rawName, 'destination object');
  const body = await readJsonObject(ctx.req);
  const source = ctx.state.objects.get(sourceBucket, sourceName);
  const sourceGeneration = ctx.query.get('sourceGeneration');
  if (!source || (sourceGeneration !== null && sourceGeneration !== source.generation))
    throw notFound(`No such object: ${sourceBucket}/${sourceName}`);
  checkPreconditions(source, preconditionsFrom(ctx.query, 'Source'));
  const staged = await ctx.state.objects.stageCopy(source).catch((err: NodeJS.ErrnoException) => {
    // Deleted or replaced since it was looked up.
    if (err.code === 'ENOENT') throw notFound(`No such object: ${sourceBucket}/${sourceName}`);
    throw err;
  });
  try {
    const init: ObjectInit = { ...inheritedInit(source), ...objectInitFrom(body) };
    const copied = await ctx.state.objects.commit(
      bucket,
      name,
      staged,
      { init, size: source.size, digests: source, ...(source.componentCount ? { componentCount: source.componentCount } : {}) },
      preconditionsFrom(ctx.query),
    );
    ctx.state.finalized(copied, ctx.base);
    const resource = objectResource(copied, ctx.base);
    if (answer === 'copy') return sendJson(ctx.res, 200, resource);
    const size = String(copied.size);
    sendJson(ctx.res, 200, { kind: 'storage#rewriteResponse', totalBytesRewritten: size, objectSize: size, done: true, resource });
  } finally {
    await rm(staged, { force: true });
  }
}

function inheritedInit(source: ObjectMetadata): ObjectInit {
  const init: ObjectInit = {};
  for (const field of INIT_FIELDS) {
    if (source[field] !== undefined) Object.assign(init, { [field]: source[field] });
  }
  return init;
}
