import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config';
import type { BackgroundWork } from '../domain/background-work';
import type { Caller } from '../domain/caller';
import type { Directory, DownloadSigner, EventFeed, FileRecords, ObjectStore, ObjectWriter, Quotas, UploadSessions } from '../domain/ports';
import { OPERATIONS, type HandlerName, type Operation } from '../generated/operations';
import { Authenticator } from './authenticate';
import { clientAddress } from './client-address';
import { FailureLimiter } from './failure-limit';
import { restoreBodyFraming, type BodyRequest } from './body-layer';
import { applyCors } from './cors';
import { endpoints, type Endpoint, type Endpoints } from './dispatch';
import { leaveRequestDomain } from './outside-domain';
import { publicError } from './public-error';
import { RateLimiter } from './rate-limit';
import { requestContext } from './request-context';
import { sendError, sendJson, sendNoContent } from './respond';
import { createRouter } from './router';
import type { WebhookEndpointsDeps } from '../endpoints/webhooks';

export interface FilesApiDeps {
  config: Config;
  directory: Directory;
  records: FileRecords;
  /** The events the records' writes made (the outbox), read back by the feed. */
  events: EventFeed;
  sessions: UploadSessions;
  objects: ObjectStore & ObjectWriter;
  quotas: Quotas;
  signer: DownloadSigner;
  now?: () => number;
  /** Where work left running after an answer is tracked (a fresh one, logging failures, when absent). */
  background?: BackgroundWork;
  /** Webhook endpoints' management; the webhook operations are not served without it. */
  webhooks?: WebhookEndpointsDeps;
  /** After a change's answer: relays the organization's pending events to webhooks (webhooks/relay.ts). */
  afterChange?: (organizationId: string) => Promise<unknown>;
}

/** Whether a request goes to an operation whose body its endpoint streams (see body-layer.ts). */
export function streamsBody(method: string, url: string): boolean {
  try {
    return streamingRouter.route(method, url).operation.streamsBody === true;
  } catch {
    return false;
  }
}
const streamingRouter = createRouter(OPERATIONS.filter((op) => op.streamsBody));

/** The contract's operations that have an endpoint: the ones the API serves. */
export function servedOperations(byHandler: Endpoints): readonly Operation[] {
  return OPERATIONS.filter((op) => byHandler[op.handler] !== undefined);
}

/**
 * The files API as one HTTP handler: route, authenticate, authorize, then the
 * operation's endpoint. Every error leaves as the documented envelope.
 */
export function createFilesApi(deps: FilesApiDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const auth = new Authenticator(deps.directory, deps.config.authCacheTtlMs, deps.now);
  const limiter = new RateLimiter(deps.config.rateLimits, deps.now);
  const failures = new FailureLimiter(deps.config.rateLimits.failuresPerAddress, deps.now);
  const byHandler = endpoints(deps);
  const router = createRouter(servedOperations(byHandler));
  const background = deps.background;
  const afterChange = deps.afterChange;
  // A change's event is committed with it; relaying it right after the answer makes webhooks prompt
  // (the scheduled catch-up relays what this misses). Reads change nothing and skip it.
  const relayAfter = (method: string | undefined, organizationId: string | undefined) => {
    if (afterChange && background && organizationId && method !== 'GET' && method !== 'HEAD') {
      void background.add('relay events', afterChange(organizationId));
    }
  };

  return async (req, res) => {
    leaveRequestDomain();
    restoreBodyFraming(req);
    const ctx = requestContext(req, deps.config.projectId);
    if (applyCors(req, res, deps.config.corsAllowedOrigins)) return sendNoContent(req, res, ctx);
    try {
      const { operation, params } = router.route(req.method ?? 'GET', req.url ?? '/');
      const organizationId = params.organization_id as string;
      ctx.organizationId = organizationId;
      ctx.fileId = params.file_id;
      const endpoint = byHandler[operation.handler] as Endpoint<HandlerName>;
      // Failed authentications and authorizations count against the client's address (failure-limit.ts).
      const address = clientAddress(req, deps.config.trustedProxyHops);
      const refusal = failures.refusal(address);
      let caller: Caller;
      try {
        caller = await auth.authenticate(req.headers, refusal);
        await auth.authorize(caller, organizationId, refusal);
      } catch (error) {
        failures.recordIfFailure(address, error);
        throw error;
      }
      limiter.check(caller, organizationId);
      const answer = await endpoint({ req: req as BodyRequest, params, organizationId, caller });
      relayAfter(req.method, organizationId);
      ctx.fileId = answer.fileId ?? ctx.fileId;
      if (answer.body === undefined) sendNoContent(req, res, ctx);
      else sendJson(req, res, ctx, answer.status, answer.body);
    } catch (error) {
      // A body refused before it was all read (a direct upload): the rest is not waited for.
      if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
      sendError(req, res, ctx, publicError(error, ctx.traceId));
    }
  };
}
