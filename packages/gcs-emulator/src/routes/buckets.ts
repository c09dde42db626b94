import { bucketResource } from '../bucket-store';
import { conflict } from '../errors';
import { readJsonObject, sendEmpty, sendJson } from '../http-io';
import { requireBucket, type RouteContext } from '../route-context';

/** POST /storage/v1/b?project=P with {"name": …}, as `storage.createBucket()` sends it. */
export async function createBucket(ctx: RouteContext): Promise<void> {
  const body = await readJsonObject(ctx.req);
  const bucket = await ctx.state.buckets.create(body.name, ctx.query.get('project') ?? '');
  await ctx.state.objects.addBucket(bucket.name);
  sendJson(ctx.res, 200, bucketResource(bucket, ctx.base));
}

export function getBucket(ctx: RouteContext, name: string): void {
  sendJson(ctx.res, 200, bucketResource(requireBucket(ctx, name), ctx.base));
}

export function listBuckets(ctx: RouteContext): void {
  const items = ctx.state.buckets.all().map((bucket) => bucketResource(bucket, ctx.base));
  sendJson(ctx.res, 200, { kind: 'storage#buckets', ...(items.length ? { items } : {}) });
}

/** Only empty buckets can be deleted, as in Cloud Storage. */
export async function deleteBucket(ctx: RouteContext, name: string): Promise<void> {
  requireBucket(ctx, name);
  if (!ctx.state.objects.isEmpty(name)) throw conflict('The bucket you tried to delete is not empty.');
  await ctx.state.buckets.remove(name);
  await ctx.state.objects.removeBucket(name);
  sendEmpty(ctx.res, 204);
}

/** GET …/b/{bucket}/storageLayout: a flat namespace (gcloud storage mv asks before moving). */
export function getStorageLayout(ctx: RouteContext, name: string): void {
  requireBucket(ctx, name);
  sendJson(ctx.res, 200, {
    kind: 'storage#storageLayout',
    bucket: name,
    location: 'US',
    locationType: 'multi-region',
    hierarchicalNamespace: { enabled: false },
  });
}
