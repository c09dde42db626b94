import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config';
import { BackendUnavailable } from '../domain/backend-unavailable';
import type { Directory, FileRecords, UploadSessions } from '../domain/ports';
import { createUploadUrl, type UploadUrlDeps } from '../routes/upload-url';
import { serviceUnavailable } from './api-error';
import { Authenticator } from './authenticate';
import type { BodyRequest } from './body-layer';
import { requestContext } from './request-context';
import { jsonBodyOf } from './request-body';
import { logEvent } from './request-log';
import { sendError, sendJson } from './respond';
import { route, type RouteName } from './router';

export interface FilesApiDeps {
  config: Config;
  directory: Directory;
  records: FileRecords;
  sessions: UploadSessions;
  now?: () => number;
}

const IMPLEMENTED: ReadonlySet<RouteName> = new Set(['upload-url']);
const RETRY_AFTER_SECONDS = 5;
// A browser origin as it sends one; anything else is not passed to storage.
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** The files API as one HTTP handler: route, authenticate, authorize, then the endpoint's handler. */
export function createFilesApi(deps: FilesApiDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const auth = new Authenticator(deps.directory, deps.config.authCacheTtlMs, deps.now);
  const uploadDeps: UploadUrlDeps = {
    config: deps.config,
    records: deps.records,
    sessions: deps.sessions,
    now: deps.now,
    onBackgroundError: (what, error) => logEvent('ERROR', `background work failed: ${what}`, error),
  };

  return async (req, res) => {
    const ctx = requestContext(req, deps.config.projectId);
    try {
      const match = route(req.method ?? 'GET', req.url ?? '/', IMPLEMENTED);
      ctx.organizationId = match.organizationId;
      const caller = await auth.authenticate(req.headers);
      await auth.authorize(caller, match.organizationId);
      const origin = header(req, 'origin');
      const result = await createUploadUrl(uploadDeps, {
        organizationId: match.organizationId,
        caller,
        body: jsonBodyOf(req as BodyRequest),
        origin: origin && ORIGIN.test(origin) ? origin : undefined,
        idempotencyKey: header(req, 'idempotency-key'),
      });
      ctx.fileId = result.file_id;
      sendJson(req, res, ctx, 200, result);
    } catch (error) {
      sendError(req, res, ctx, error instanceof BackendUnavailable ? withCause(error) : error);
    }
  };
}

function withCause(error: BackendUnavailable) {
  const answer = serviceUnavailable(RETRY_AFTER_SECONDS);
  logEvent('WARNING', `${error.backend} unavailable`, error.cause);
  return answer;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
