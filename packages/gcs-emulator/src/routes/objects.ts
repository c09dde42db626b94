import { notFound, badRequest } from '../errors';
import { sendEmpty, sendJson } from '../http-io';
import { compileGlob } from '../glob';
import { listPage } from '../list-page';
import { objectResource } from '../object-resource';
import { checkReadPreconditions, preconditionsFrom } from '../preconditions';
import { requireBucket, type RouteContext } from '../route-context';
import type { ObjectMetadata } from '../object-metadata';
import { sendMedia } from './media';

const MAX_RESULTS = 1000;

/** GET …/b/{bucket}/o: prefix, delimiter (→ prefixes), startOffset, endOffset,
 * matchGlob, maxResults, pageToken (→ nextPageToken). */
export function listObjects(ctx: RouteContext, bucket: string): void {
  requireBucket(ctx, bucket);
  const maxText = ctx.query.get('maxResults');
  const maxResults = maxText === null ? MAX_RESULTS : Number(maxText);
  if (!Number.isInteger(maxResults) || maxResults < 1) throw badRequest(`Invalid maxResults: ${maxText}`);
  const glob = ctx.query.get('matchGlob');
  const page = listPage(ctx.state.objects.names(bucket), {
    prefix: ctx.query.get('prefix') ?? '',
    delimiter: ctx.query.get('delimiter') ?? '',
    maxResults: Math.min(maxResults, MAX_RESULTS),
    pageToken: ctx.query.get('pageToken') ?? undefined,
    startOffset: ctx.query.get('startOffset') || undefined,
    endOffset: ctx.query.get('endOffset') || undefined,
    matchGlob: glob ? compileGlob(glob) : undefined,
  });
  const items = page.names.map((name) => objectResource(ctx.state.objects.get(bucket, name) as ObjectMetadata, ctx.base));
  sendJson(ctx.res, 200, {
    kind: 'storage#objects',
    ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    ...(page.prefixes.length ? { prefixes: page.prefixes } : {}),
    ...(items.length ? { items } : {}),
  });
}

/** GET …/b/{bucket}/o/{object}: the resource, or the bytes with `alt=media`. */
export async function getObject(ctx: RouteContext, bucket: string, name: string): Promise<void> {
  const obj = findObject(ctx, bucket, name);
  if (ctx.query.get('alt') === 'media') return sendMedia(ctx, obj);
  sendJson(ctx.res, 200, objectResource(obj, ctx.base));
}

export async function deleteObject(ctx: RouteContext, bucket: string, name: string): Promise<void> {
  requireBucket(ctx, bucket);
  const generation = ctx.query.get('generation');
  const current = ctx.state.objects.get(bucket, name);
  if (!current || (generation !== null && generation !== current.generation)) throw noSuchObject(bucket, name);
  const deleted = await ctx.state.objects.delete(bucket, name, preconditionsFrom(ctx.query));
  if (!deleted) throw noSuchObject(bucket, name);
  sendEmpty(ctx.res, 204);
}

/** The live object for a read, honouring `generation` (only the live one exists here)
 * and the preconditions (304 when a "not match" one fails). */
export function findObject(ctx: RouteContext, bucket: string, name: string): ObjectMetadata {
  requireBucket(ctx, bucket);
  const obj = ctx.state.objects.get(bucket, name);
  const generation = ctx.query.get('generation');
  if (!obj || (generation !== null && generation !== obj.generation)) throw noSuchObject(bucket, name);
  checkReadPreconditions(obj, preconditionsFrom(ctx.query));
  return obj;
}

function noSuchObject(bucket: string, name: string) {
  return notFound(`No such object: ${bucket}/${name}`);
}
