import { randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Crc32c } from '../crc32c';
import { badRequest, notFound } from '../errors';
import { readJsonObject, sendJson } from '../http-io';
import { objectResource } from '../object-resource';
import { checkPreconditions, preconditionsFrom } from '../preconditions';
import { requireBucket, type RouteContext } from '../route-context';
import { objectInitFrom, objectName, type ObjectMetadata } from '../object-metadata';

// Cloud Storage's limits: 32 sources per call, 1024 components per composite object.
const MAX_SOURCES = 32;
const MAX_COMPONENTS = 1024;
const COPY_BUFFER = 4 << 20;

interface SourceRef {
  name: string;
  generation?: string;
  ifGenerationMatch?: string;
}

/** objects.compose (POST …/o/{destination}/compose): the sources' bytes end to end as a
 * new object of the same bucket. Like Cloud Storage's, the result has a CRC32C and a
 * componentCount but no MD5. */
export async function composeObject(ctx: RouteContext, bucket: string, rawName: string): Promise<void> {
  requireBucket(ctx, bucket);
  const name = objectName(rawName, 'destination object');
  const body = await readJsonObject(ctx.req);
  const refs = sourceRefs(body.sourceObjects);
  const destination =
    body.destination && typeof body.destination === 'object' && !Array.isArray(body.destination)
      ? (body.destination as Record<string, unknown>)
      : {};
  const sources = refs.map((ref) => resolve(ctx, bucket, ref));
  const componentCount = sources.reduce((sum, s) => sum + (s.componentCount ?? 1), 0);
  if (componentCount > MAX_COMPONENTS) {
    throw badRequest(`The number of components in the composite object (${componentCount}) would exceed the maximum of ${MAX_COMPONENTS}`);
  }
  const temp = join(ctx.state.layout.scratch, `${randomBytes(12).toString('hex')}.compose`);
  try {
    const { size, crc32c } = await concatenate(ctx, sources, temp);
    const composed = await ctx.state.objects.commit(
      bucket,
      name,
      temp,
      { init: objectInitFrom(destination), size, digests: { crc32c }, componentCount },
      preconditionsFrom(ctx.query),
    );
    ctx.state.finalized(composed, ctx.base);
    sendJson(ctx.res, 200, objectResource(composed, ctx.base));
  } finally {
    await rm(temp, { force: true });
  }
}

function sourceRefs(value: unknown): SourceRef[] {
  if (!Array.isArray(value) || value.length === 0) throw badRequest('Required: sourceObjects (at least one source object)', 'required');
  if (value.length > MAX_SOURCES)
    throw badRequest(`The number of source objects provided (${value.length}) exceeds the maximum of ${MAX_SOURCES}`);
  return value.map((item: unknown, i) => {
    const ref = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const name = objectName(ref.name, `sourceObjects[${i}].name`);
    const pre = (ref.objectPreconditions && typeof ref.objectPreconditions === 'object' ? ref.objectPreconditions : {}) as Record<
      string,
      unknown
    >;
    return {
      name,
      ...generationField(ref.generation, `sourceObjects[${i}].generation`, 'generation'),
      ...generationField(pre.ifGenerationMatch, `sourceObjects[${i}].objectPreconditions.ifGenerationMatch`, 'ifGenerationMatch'),
    };
  });
}

function generationField(value: unknown, where: string, key: 'generation' | 'ifGenerationMatch'): Partial<SourceRef> {
  if (value === undefined || value === null) return {};
  const text = String(value);
  if (!/^\d{1,20}$/.test(text)) throw badRequest(`Invalid value for ${where}: ${text}`);
  return { [key]: text };
}

function resolve(ctx: RouteContext, bucket: string, ref: SourceRef): ObjectMetadata {
  const obj = ctx.state.objects.get(bucket, ref.name);
  if (!obj || (ref.generation !== undefined && ref.generation !== obj.generation))
    throw notFound(`Object ${ref.name} (generation: ${ref.generation ?? 'live'}) not found.`);
  if (ref.ifGenerationMatch !== undefined) checkPreconditions(obj, { ifGenerationMatch: ref.ifGenerationMatch });
  return obj;
}

/** Writes the sources one after another into `temp`, with the result's CRC32C. All are
 * opened first, so a source deleted meanwhile is a 404, not a short object. */
async function concatenate(ctx: RouteContext, sources: ObjectMetadata[], temp: string): Promise<{ size: number; crc32c: string }> {
  const inputs: FileHandle[] = [];
  const out = await open(temp, 'w');
  try {
    for (const source of sources) {
      inputs.push(
        await open(ctx.state.objects.dataPath(source), 'r').catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') throw notFound(`Object ${source.name} (generation: ${source.generation}) not found.`);
          throw err;
        }),
      );
    }
    const crc = new Crc32c();
    const buffer = Buffer.allocUnsafe(COPY_BUFFER);
    let size = 0;
    for (const input of inputs) {
      for (;;) {
        const { bytesRead } = await input.read(buffer, 0, COPY_BUFFER, null);
        if (bytesRead === 0) break;
        const piece = buffer.subarray(0, bytesRead);
        crc.update(piece);
        for (let done = 0; done < bytesRead;) done += (await out.write(piece, done, bytesRead - done, size + done)).bytesWritten;
        size += bytesRead;
      }
    }
    await out.datasync();
    return { size, crc32c: crc.toString() };
  } finally {
    await out.close();
    for (const input of inputs) await input.close();
  }
}
