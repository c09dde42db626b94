import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config';
import type { Directory, DownloadSigner, FileRecords, ObjectStore, Quotas, UploadSessions } from '../domain/ports';
import { deleteFile } from '../endpoints/delete-file';
import { createDownloadUrl } from '../endpoints/download-url';
import { getFile } from '../endpoints/get-file';
import { listFiles } from '../endpoints/list-files';
import { registerFile } from '../endpoints/register-file';
import { createUploadUrl } from '../endpoints/upload-url/create-upload-url';
import type { UploadUrlDeps } from '../endpoints/upload-url/deps';
import { Authenticator } from './authenticate';
import { applyCors } from './cors';
import type { BodyRequest } from './body-layer';
import { requestContext } from './request-context';
import { jsonBodyOf } from './request-body';
import { publicError } from './public-error';
import { logBackgroundError } from './request-log';
import { sendError, sendJson, sendNoContent } from './respond';
import { route, type RouteName } from './router';

export interface FilesApiDeps {
  config: Config;
  directory: Directory;
  records: FileRecords;
  sessions: UploadSessions;
  objects: ObjectStore;
  quotas: Quotas;
  signer: DownloadSigner;
  now?: () => number;
}

const IMPLEMENTED: ReadonlySet<RouteName> = new Set(['upload-url', 'files', 'file', 'download-url']);
// A browser origin as it sends one; anything else is not passed to storage.
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** The files API as one HTTP handler: route, authenticate, authorize, then the endpoint's handler. */
export function createFilesApi(deps: FilesApiDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const auth = new Authenticator(deps.directory, deps.config.authCacheTtlMs, deps.now);
  const uploadDeps: UploadUrlDeps = {
    config: deps.config,
    records: deps.records,
    sessions: deps.sessions,
    quotas: deps.quotas,
    now: deps.now,
    onBackgroundError: logBackgroundError,
  };

  return async (req, res) => {
    const ctx = requestContext(req, deps.config.projectId);
    if (applyCors(req, res, deps.config.corsAllowedOrigins)) return sendNoContent(req, res, ctx);
    try {
      const match = route(req.method ?? 'GET', req.url ?? '/', IMPLEMENTED);
      ctx.organizationId = match.organizationId;
      const caller = await auth.authenticate(req.headers);
      await auth.authorize(caller, match.organizationId);
      const organizationId = match.organizationId;
      if (match.name === 'upload-url') {
        const origin = header(req, 'origin');
        const result = await createUploadUrl(uploadDeps, {
          organizationId,
          caller,
          body: jsonBodyOf(req as BodyRequest),
          origin: origin && ORIGIN.test(origin) ? origin : undefined,
          idempotencyKey: header(req, 'idempotency-key'),
        });
        ctx.fileId = result.file_id;
        sendJson(req, res, ctx, 200, result);
      } else if (match.name === 'files' && req.method === 'POST') {
        const { status, file } = await registerFile(deps, { organizationId, body: jsonBodyOf(req as BodyRequest) });
        ctx.fileId = file.id;
        sendJson(req, res, ctx, status, file);
      } else if (match.name === 'files') {
        sendJson(req, res, ctx, 200, await listFiles(deps.records, organizationId, req.url ?? '/'));
      } else if (match.name === 'download-url') {
        ctx.fileId = match.fileId;
        const downloadDeps = { records: deps.records, signer: deps.signer, downloadUrlTtlSeconds: deps.config.downloadUrlTtlSeconds, now: deps.now };
        sendJson(req, res, ctx, 200, await createDownloadUrl(downloadDeps, organizationId, match.fileId as string, req.url ?? '/'));
      } else if (req.method === 'DELETE') {
        ctx.fileId = match.fileId;
        await deleteFile({ ...deps, onBackgroundError: logBackgroundError }, organizationId, match.fileId as string);
        sendNoContent(req, res, ctx);
      } else {
        ctx.fileId = match.fileId;
        sendJson(req, res, ctx, 200, await getFile(deps.records, organizationId, match.fileId as string));
      }
    } catch (error) {
      sendError(req, res, ctx, publicError(error));
    }
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
