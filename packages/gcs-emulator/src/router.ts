import { allowedOrigin, preflightHeaders } from './cors';
import { badRequest, notFound } from './errors';
import { sendEmpty } from './http-io';
import type { RouteContext } from './route-context';
import { createBucket, deleteBucket, getBucket, getStorageLayout, listBuckets } from './routes/buckets';
import { composeObject } from './routes/compose';
import { copyObject } from './routes/copy';
import { sendMedia } from './routes/media';
import { deleteObject, findObject, getObject, listObjects } from './routes/objects';
import { updateObject } from './routes/object-update';
import { startSession } from './routes/session-start';
import { onSessionUri } from './routes/session-uri';
import { signedRead } from './routes/signed-read';
import { uploadMedia, uploadMultipart } from './routes/simple-upload';
import { isSignedRequest } from './signed-url';
import { unimplemented, unimplementedSubresource } from './unimplemented';

type Handler = (ctx: RouteContext, params: string[]) => void | Promise<void>;

// `/storage/v1` is optional: with STORAGE_EMULATOR_HOST set, @google-cloud/storage
// sends JSON API calls to the bare host (`/b/…`).
const API = '^(?:/storage/v1)?';
const BUCKETS = new RegExp(`${API}/b/?$`);
const BUCKET = new RegExp(`${API}/b/([^/]+)/?$`);
const LAYOUT = new RegExp(`${API}/b/([^/]+)/storageLayout$`);
const OBJECTS = new RegExp(`${API}/b/([^/]+)/o/?$`);
const OBJECT = new RegExp(`${API}/b/([^/]+)/o/(.+)$`);
const REWRITE = new RegExp(`${API}/b/([^/]+)/o/([^/]+)/rewriteTo/b/([^/]+)/o/([^/]+)$`);
const COPY = new RegExp(`${API}/b/([^/]+)/o/([^/]+)/copyTo/b/([^/]+)/o/([^/]+)$`);
const COMPOSE = new RegExp(`${API}/b/([^/]+)/o/([^/]+)/compose$`);
// gcloud (apitools) starts resumable uploads on the `/resumable/upload/…` alias.
const UPLOADS = /^(?:\/resumable)?\/upload\/storage\/v1\/b\/([^/]+)\/o\/?$/;
const DOWNLOAD = /^\/download\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/;

const ROUTES: Array<[string, RegExp, Handler]> = [
  ['GET', BUCKETS, (ctx) => listBuckets(ctx)],
  ['POST', BUCKETS, (ctx) => createBucket(ctx)],
  ['GET', BUCKET, (ctx, [bucket]) => getBucket(ctx, bucket)],
  ['DELETE', BUCKET, (ctx, [bucket]) => deleteBucket(ctx, bucket)],
  ['GET', LAYOUT, (ctx, [bucket]) => getStorageLayout(ctx, bucket)],
  ['GET', OBJECTS, (ctx, [bucket]) => listObjects(ctx, bucket)],
  // Before OBJECT, whose name group would take these paths whole.
  ['POST', REWRITE, (ctx, params) => copyObject(ctx, params, 'rewrite')],
  ['POST', COPY, (ctx, params) => copyObject(ctx, params, 'copy')],
  ['POST', COMPOSE, (ctx, [bucket, name]) => composeObject(ctx, bucket, name)],
  ['GET', OBJECT, (ctx, [bucket, name]) => getObject(ctx, bucket, name)],
  ['DELETE', OBJECT, (ctx, [bucket, name]) => deleteObject(ctx, bucket, name)],
  ['PATCH', OBJECT, (ctx, [bucket, name]) => updateObject(ctx, bucket, name, 'patch')],
  ['PUT', OBJECT, (ctx, [bucket, name]) => updateObject(ctx, bucket, name, 'replace')],
  ['POST', UPLOADS, (ctx, [bucket]) => beginUpload(ctx, bucket)],
  ['GET', DOWNLOAD, (ctx, [bucket, name]) => sendMedia(ctx, findObject(ctx, bucket, name))],
];

/** Sends one request to its handler. `path` is still percent-encoded: object names may
 * hold `/`, so segments are decoded only after matching. */
export async function dispatch(ctx: RouteContext, method: string, path: string): Promise<void> {
  // The XML API's path, only as signed URLs use it (a JSON API path carries no signature).
  if (isSignedRequest(ctx.query) && method !== 'OPTIONS') return signedRead(ctx, path);
  const session = UPLOADS.exec(path);
  if (session && ctx.query.has('upload_id')) return onSessionUri(ctx, decode(session[1]));
  if (method === 'OPTIONS') {
    const origin = allowedOrigin(ctx.req, ctx.state.config.corsOrigins);
    return sendEmpty(ctx.res, 200, origin ? preflightHeaders(origin, ctx.req) : {});
  }
  const subresource = unimplementedSubresource(method, path);
  if (subresource) throw subresource;
  for (const [routeMethod, pattern, handler] of ROUTES) {
    if (routeMethod !== method) continue;
    const match = pattern.exec(path);
    if (match) return handler(ctx, match.slice(1).map(decode));
  }
  throw unimplemented(method, path) ?? notFound(`No such API: ${method} ${path}`);
}

function beginUpload(ctx: RouteContext, bucket: string): Promise<void> {
  const kind = ctx.query.get('uploadType');
  if (kind === 'resumable') return startSession(ctx, bucket);
  if (kind === 'media') return uploadMedia(ctx, bucket);
  if (kind === 'multipart') return uploadMultipart(ctx, bucket);
  throw badRequest(`Unsupported uploadType: ${kind}`);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`Malformed percent-encoding: ${segment}`);
  }
}
