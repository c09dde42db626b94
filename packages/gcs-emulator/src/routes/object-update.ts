import { notFound } from '../errors';
import { readJsonObject, sendJson } from '../http-io';
import { objectResource } from '../object-resource';
import { patchObject, replaceObject } from '../object-patch';
import { preconditionsFrom } from '../preconditions';
import { requireBucket, type RouteContext } from '../route-context';

/** PATCH …/o/{object} (objects.patch) and PUT (objects.update): new metadata, same
 * bytes and generation, metageneration + 1. */
export async function updateObject(ctx: RouteContext, bucket: string, name: string, mode: 'patch' | 'replace'): Promise<void> {
  requireBucket(ctx, bucket);
  const generation = ctx.query.get('generation');
  const body = await readJsonObject(ctx.req);
  const change = mode === 'patch' ? patchObject : replaceObject;
  const updated = await ctx.state.objects.update(bucket, name, preconditionsFrom(ctx.query), (current) => {
    if (generation !== null && generation !== current.generation) throw notFound(`No such object: ${bucket}/${name}#${generation}`);
    return change(current, body);
  });
  sendJson(ctx.res, 200, objectResource(updated, ctx.base));
}
