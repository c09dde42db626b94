import type { ObjectMetadata } from './object-metadata';

/** The JSON API's object resource (`storage#object`) for a stored object. `base` is the
 * emulator's URL as the client addressed it, for selfLink and mediaLink. */
export function objectResource(obj: ObjectMetadata, base: string): Record<string, unknown> {
  const path = `b/${encodeURIComponent(obj.bucket)}/o/${encodeURIComponent(obj.name)}`;
  return {
    kind: 'storage#object',
    id: `${obj.bucket}/${obj.name}/${obj.generation}`,
    selfLink: `${base}/storage/v1/${path}`,
    mediaLink: `${base}/download/storage/v1/${path}?generation=${obj.generation}&alt=media`,
    name: obj.name,
    bucket: obj.bucket,
    generation: obj.generation,
    metageneration: obj.metageneration,
    contentType: obj.contentType,
    storageClass: 'STANDARD',
    size: String(obj.size),
    ...(obj.md5Hash ? { md5Hash: obj.md5Hash } : {}),
    crc32c: obj.crc32c,
    ...(obj.componentCount ? { componentCount: obj.componentCount } : {}),
    etag: Buffer.from(`${obj.generation}/${obj.metageneration}`).toString('base64'),
    timeCreated: obj.timeCreated,
    updated: obj.updated,
    timeStorageClassUpdated: obj.timeCreated,
    ...(obj.metadata ? { metadata: obj.metadata } : {}),
    ...(obj.contentEncoding ? { contentEncoding: obj.contentEncoding } : {}),
    ...(obj.contentDisposition ? { contentDisposition: obj.contentDisposition } : {}),
    ...(obj.contentLanguage ? { contentLanguage: obj.contentLanguage } : {}),
    ...(obj.cacheControl ? { cacheControl: obj.cacheControl } : {}),
  };
}
