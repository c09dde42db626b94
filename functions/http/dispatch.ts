import type { IncomingMessage } from 'node:http';
import type { Caller } from '../domain/caller';
import { deleteFile } from '../endpoints/delete-file';
import { createDownloadUrl } from '../endpoints/download-url';
import { getFileContent } from '../endpoints/file-content';
import { getFile } from '../endpoints/get-file';
import { listEvents } from '../endpoints/list-events';
import { listFiles } from '../endpoints/list-files';
import { registerFile } from '../endpoints/register-file';
import { updateFile } from '../endpoints/update-file';
import { uploadFile } from '../endpoints/upload-file/upload-file';
import { createUploadUrl } from '../endpoints/upload-url/create-upload-url';
import type { HandlerAnswers, HandlerName } from '../generated/operations';
import type { BodyRequest } from './body-layer';
import type { FilesApiDeps } from './files-api';
import { jsonBodyOf } from './request-body';
import { BackgroundWork } from '../domain/background-work';
import { UploadProgress } from '../domain/upload-progress';
import { logBackgroundError } from './request-log';
import type { PathParameters } from './router';
import { notFound } from '../errors/api-error';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  redeliverEvent,
  requireManager,
  rotateWebhookSecret,
  updateWebhook,
  type WebhookEndpointsDeps,
} from '../endpoints/webhooks';

/** One authorized call of an operation, as its endpoint receives it. */
export interface EndpointCall {
  req: BodyRequest;
  params: PathParameters;
  organizationId: string;
  caller: Caller;
}

/** An endpoint answers one of the successes the contract declares for it; `fileId` names the file in the request log. */
export type Endpoint<H extends HandlerName> = (call: EndpointCall) => Promise<HandlerAnswers[H] & { fileId?: string }>;
export type Endpoints = { [H in HandlerName]?: Endpoint<H> };

/**
 * The endpoint of each handler the contract (schemas/api.contract.json) names.
 * An operation whose handler has no entry here is not served: the router
 * answers it 404, as if it were not in the table.
 */
export function endpoints(deps: FilesApiDeps): Endpoints {
  const uploadUrlDeps = {
    config: deps.config,
    records: deps.records,
    sessions: deps.sessions,
    quotas: deps.quotas,
    now: deps.now,
    background: deps.background ?? new BackgroundWork(logBackgroundError),
  };
  // One per instance, made at the first read: the table is also built without backends, only to list it.
  let progress: UploadProgress | undefined;
  const read = () => ({
    records: deps.records,
    progress: (progress ??= new UploadProgress(deps.sessions, deps.config.uploadProgressCacheMs, deps.now)),
  });
  return {
    'upload-url': async ({ req, organizationId, caller }) => {
      const body = await createUploadUrl(uploadUrlDeps, {
        organizationId,
        caller,
        body: jsonBodyOf(req),
        origin: header(req, 'origin'),
        idempotencyKey: header(req, 'idempotency-key'),
      });
      return { status: 200, body, fileId: body.file_id };
    },
    'upload-file': async ({ req, organizationId, caller }) => {
      const { status, file } = await uploadFile(
        { ...uploadUrlDeps, objects: deps.objects },
        { organizationId, caller, req, idempotencyKey: header(req, 'idempotency-key') },
      );
      return { status, body: file, fileId: file.id };
    },
    'register-file': async ({ req, organizationId }) => {
      const { status, file } = await registerFile(deps, { organizationId, body: jsonBodyOf(req) });
      return { status, body: file, fileId: file.id };
    },
    'list-files': async ({ req, organizationId }) => ({
      status: 200,
      body: await listFiles({ ...read(), pageTokenSecret: deps.config.pageTokenSecret }, organizationId, req.url ?? '/'),
    }),
    'list-events': async ({ req, organizationId }) => ({
      status: 200,
      body: await listEvents(deps.events, organizationId, req.url ?? '/'),
    }),
    'get-file': async ({ params, organizationId }) => ({
      status: 200,
      body: await getFile(read(), organizationId, params.file_id as string),
    }),
    'update-file': async ({ req, params, organizationId }) => {
      const file = await updateFile(read(), organizationId, params.file_id as string, jsonBodyOf(req));
      return { status: 200, body: file, fileId: file.id };
    },
    'delete-file': async ({ params, organizationId }) => {
      await deleteFile(deps, organizationId, params.file_id as string);
      return { status: 204 };
    },
    'file-content': async ({ req, params, organizationId }) => ({
      status: 200,
      body: await getFileContent(
        { records: deps.records, signer: deps.signer, downloadUrlTtlSeconds: deps.config.contentUrlTtlSeconds, now: deps.now },
        organizationId,
        params.file_id as string,
        req.url ?? '/',
      ),
    }),
    ...webhookEndpoints(deps.webhooks),
    'download-url': async ({ req, params, organizationId }) => ({
      status: 200,
      body: await createDownloadUrl(
        { records: deps.records, signer: deps.signer, downloadUrlTtlSeconds: deps.config.downloadUrlTtlSeconds, now: deps.now },
        organizationId,
        params.file_id as string,
        req.url ?? '/',
      ),
    }),
  };
}

/**
 * The webhook operations, for owners and admins only. Always routed, as the
 * contract documents them; a function wired without a webhook store (some
 * tests and benchmarks) answers them 404, as a route it does not have.
 */
function webhookEndpoints(wired: WebhookEndpointsDeps | undefined): Endpoints {
  const deps = wired ?? unwired;
  const managed =
    <T>(work: (call: EndpointCall) => Promise<T>) =>
    async (call: EndpointCall): Promise<T> => {
      if (!wired) throw notFound();
      await requireManager(deps, call.organizationId, call.caller.principalId);
      return work(call);
    };
  const id = (call: EndpointCall) => call.params.webhook_id as string;
  const keyOf = (call: EndpointCall) => {
    const key = header(call.req, 'idempotency-key');
    return key === undefined ? undefined : { principalId: call.caller.principalId, key };
  };
  return {
    'create-webhook': managed(async (call) => ({
      status: 201 as const,
      body: await createWebhook(deps, call.organizationId, jsonBodyOf(call.req), keyOf(call)),
    })),
    'list-webhooks': managed(async (call) => ({ status: 200 as const, body: await listWebhooks(deps, call.organizationId) })),
    'get-webhook': managed(async (call) => ({ status: 200 as const, body: await getWebhook(deps, call.organizationId, id(call)) })),
    'update-webhook': managed(async (call) => ({
      status: 200 as const,
      body: await updateWebhook(deps, call.organizationId, id(call), jsonBodyOf(call.req)),
    })),
    'delete-webhook': managed(async (call) => {
      await deleteWebhook(deps, call.organizationId, id(call));
      return { status: 204 as const };
    }),
    'rotate-webhook-secret': managed(async (call) => ({
      status: 200 as const,
      body: await rotateWebhookSecret(deps, call.organizationId, id(call)),
    })),
    'list-webhook-deliveries': managed(async (call) => ({
      status: 200 as const,
      body: await listWebhookDeliveries(deps, call.organizationId, id(call)),
    })),
    'redeliver-event': managed(async (call) => ({
      status: 202 as const,
      body: await redeliverEvent(deps, call.organizationId, call.params.event_id as string),
    })),
  };
}

const unwired = {} as WebhookEndpointsDeps;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
