import { claimId, webhookFingerprint } from '../domain/idempotency';
import { isoSeconds } from '../domain/iso-time';
import { ApiError, invalidJson } from '../errors/api-error';
import { validationError } from '../errors/validation-error';
import type { RedeliverResponse, WebhookDeliveryList, WebhookEndpoint, WebhookEventTypes, WebhookList } from '../generated/schema-types';
import { validateWebhookCreateRequest, validateWebhookUpdateRequest } from '../generated/validators';
import { checkIdempotencyKey } from './upload-url/validate-request';
import { AddressRefused, checkedTarget, type GuardPolicy, type Resolver } from '../webhooks/address-guard';
import { EVENT_ID, newSigningSecret, newWebhookId, WEBHOOK_ID } from '../webhooks/ids';
import { toWebhookObject } from '../webhooks/webhook-object';
import {
  subscribes,
  WebhookLimitReached,
  type DeliveryMessage,
  type Webhook,
  type WebhookDoc,
  type WebhookKeyReplay,
  type WebhookStore,
} from '../webhooks/webhook-store';

export interface WebhookEndpointsDeps {
  webhooks: WebhookStore;
  guard: GuardPolicy;
  resolver?: Resolver;
  /** Queues deliveries (Pub/Sub); redeliver's only effect. */
  enqueue: (messages: DeliveryMessage[]) => Promise<void>;
  /** How long a create's Idempotency-Key answers the same (IDEMPOTENCY_TTL_SECONDS, as upload-url's). */
  idempotencyTtlSeconds: number;
  now?: () => number;
}

const MAX_LISTED_ATTEMPTS = 100;

/** Managing webhooks is for owners and admins: a member may upload files, not redirect the organization's events. */
export async function requireManager(deps: WebhookEndpointsDeps, organizationId: string, principalId: string): Promise<void> {
  const role = await deps.webhooks.roleOf(organizationId, principalId);
  if (role !== 'owner' && role !== 'admin') {
    throw new ApiError(403, 'INSUFFICIENT_ROLE', 'Managing webhooks needs the owner or admin role', { role });
  }
}

/** An Idempotency-Key sent with a create, with whose it is: a key is the caller's own. */
export interface CreateKey {
  principalId: string;
  key: string;
}

export async function createWebhook(
  deps: WebhookEndpointsDeps,
  organizationId: string,
  body: unknown,
  idempotency?: CreateKey,
): Promise<WebhookEndpoint> {
  if (idempotency) checkIdempotencyKey(idempotency.key);
  const request = objectBody(body);
  if (!validateWebhookCreateRequest(request)) throw validationError(validateWebhookCreateRequest.errors, request, 0);
  await checkUrl(deps, request.url);
  const started = (deps.now ?? Date.now)();
  const now = isoSeconds(started);
  const webhook: Webhook = {
    id: newWebhookId(),
    url: request.url,
    event_types: request.event_types ?? [],
    description: request.description ?? '',
    enabled: true,
    disabled_reason: null,
    secret: newSigningSecret(),
    created_at: now,
    updated_at: now,
    failing_since: null,
  };
  const fingerprint = webhookFingerprint(request);
  const claim = idempotency && {
    keyHash: claimId(organizationId, idempotency.principalId, idempotency.key),
    fingerprint,
    expiresAt: isoSeconds(started + deps.idempotencyTtlSeconds * 1000),
  };
  let replay: WebhookKeyReplay | undefined;
  try {
    replay = await deps.webhooks.create(organizationId, webhook, claim);
  } catch (error) {
    if (error instanceof WebhookLimitReached) {
      throw new ApiError(409, 'WEBHOOK_LIMIT_REACHED', 'The organization has the most webhook endpoints it may have', { limit: 20 });
    }
    throw error;
  }
  if (!replay) return { ...toWebhookObject(webhook), secret: webhook.secret };
  if (replay.fingerprint !== fingerprint) {
    throw new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body');
  }
  // The first answer again: the endpoint it made, with its secret (the current one, should it have been rotated since).
  return { ...toWebhookObject(replay.webhook), secret: replay.webhook.secret };
}

export async function listWebhooks(deps: WebhookEndpointsDeps, organizationId: string): Promise<WebhookList> {
  return { webhooks: (await deps.webhooks.list(organizationId)).map(toWebhookObject) };
}

export async function getWebhook(deps: WebhookEndpointsDeps, organizationId: string, id: string): Promise<WebhookEndpoint> {
  return toWebhookObject(await existing(deps, organizationId, id));
}

export async function updateWebhook(
  deps: WebhookEndpointsDeps,
  organizationId: string,
  id: string,
  body: unknown,
): Promise<WebhookEndpoint> {
  const raw = objectBody(body);
  if (!validateWebhookUpdateRequest(raw)) throw validationError(validateWebhookUpdateRequest.errors, raw, 0);
  // The generated type of a schema with minProperties is loose; the validator checked each field.
  const request = raw as { url?: string; event_types?: WebhookEventTypes; description?: string; enabled?: boolean };
  await existing(deps, organizationId, id);
  if (request.url !== undefined) await checkUrl(deps, request.url);
  const change: Partial<WebhookDoc> = { updated_at: isoSeconds((deps.now ?? Date.now)()) };
  if (request.url !== undefined) change.url = request.url;
  if (request.event_types !== undefined) change.event_types = request.event_types;
  if (request.description !== undefined) change.description = request.description;
  if (request.enabled !== undefined) {
    change.enabled = request.enabled;
    change.disabled_reason = request.enabled ? null : 'manual';
    // Enabled again: its failures so far no longer count towards disabling it.
    if (request.enabled) change.failing_since = null;
  }
  const updated = await deps.webhooks.update(organizationId, id, change);
  if (!updated) throw webhookNotFound(id);
  return toWebhookObject(updated);
}

export async function deleteWebhook(deps: WebhookEndpointsDeps, organizationId: string, id: string): Promise<void> {
  if (!WEBHOOK_ID.test(id) || !(await deps.webhooks.remove(organizationId, id))) throw webhookNotFound(id);
}

export async function rotateWebhookSecret(deps: WebhookEndpointsDeps, organizationId: string, id: string): Promise<WebhookEndpoint> {
  await existing(deps, organizationId, id);
  const secret = newSigningSecret();
  const updated = await deps.webhooks.update(organizationId, id, { secret, updated_at: isoSeconds((deps.now ?? Date.now)()) });
  if (!updated) throw webhookNotFound(id);
  return { ...toWebhookObject(updated), secret };
}

export async function listWebhookDeliveries(deps: WebhookEndpointsDeps, organizationId: string, id: string): Promise<WebhookDeliveryList> {
  await existing(deps, organizationId, id);
  return { deliveries: await deps.webhooks.attempts(organizationId, id, MAX_LISTED_ATTEMPTS) };
}

/** Queues the event again for every endpoint that takes it now; each keeps its `webhook-id` (the event's id). */
export async function redeliverEvent(deps: WebhookEndpointsDeps, organizationId: string, eventId: string): Promise<RedeliverResponse> {
  const event = EVENT_ID.test(eventId) ? await deps.webhooks.findEvent(organizationId, eventId) : null;
  if (!event) throw new ApiError(404, 'EVENT_NOT_FOUND', 'No such event in this organization', { event_id: eventId });
  const targets = (await deps.webhooks.list(organizationId)).filter((w) => subscribes(w, event.type));
  await deps.enqueue(targets.map((w) => ({ organization_id: organizationId, event_id: event.id, endpoint_id: w.id })));
  return { event_id: event.id, webhook_ids: targets.map((w) => w.id) };
}

async function existing(deps: WebhookEndpointsDeps, organizationId: string, id: string): Promise<Webhook> {
  const webhook = WEBHOOK_ID.test(id) ? await deps.webhooks.find(organizationId, id) : null;
  if (!webhook) throw webhookNotFound(id);
  return webhook;
}

async function checkUrl(deps: WebhookEndpointsDeps, raw: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', 'url must be an absolute URL', { field: 'url', value: raw });
  }
  try {
    await checkedTarget(url, deps.guard, deps.resolver);
  } catch (error) {
    if (error instanceof AddressRefused) {
      throw new ApiError(400, 'INVALID_FIELD_VALUE', `url is refused: ${error.message}`, { field: 'url', value: raw });
    }
    throw error;
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidJson();
  return body as Record<string, unknown>;
}

const webhookNotFound = (id: string) =>
  new ApiError(404, 'WEBHOOK_NOT_FOUND', 'No such webhook endpoint in this organization', { webhook_id: id });
