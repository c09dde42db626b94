import { Webhook as Signer } from 'standardwebhooks';
import { isoSeconds } from '../domain/iso-time';
import { AddressRefused, checkedTarget, type GuardPolicy, type Resolver } from './address-guard';
import { sendWebhook, type SendOutcome } from './send-webhook';
import { subscribes, type DeliveryMessage, type WebhookStore } from './webhook-store';

export interface DeliveryDeps {
  webhooks: WebhookStore;
  guard: GuardPolicy;
  resolver?: Resolver;
  /** An endpoint failing without a success for this long is disabled. */
  disableAfterMs: number;
  timeoutMs: number;
  now?: () => number;
}

/** `done`: acknowledge the message; `retry`: let Pub/Sub deliver it again, after its backoff. */
export type DeliveryResult = 'done' | 'retry';

/**
 * One attempt of one event to one endpoint. `webhook-id` is the event's id, so
 * it is the same on every attempt (and redelivery) to the endpoint; the
 * timestamp and signature are made afresh, as receivers refuse old timestamps.
 * The secret is read at each attempt, so a rotation applies to the next one.
 */
export async function deliverOnce(deps: DeliveryDeps, message: DeliveryMessage): Promise<DeliveryResult> {
  const now = deps.now ?? Date.now;
  const { organization_id: organizationId, endpoint_id: endpointId } = message;
  const [webhook, event] = await Promise.all([
    deps.webhooks.find(organizationId, endpointId),
    deps.webhooks.findEvent(organizationId, message.event_id),
  ]);
  // Deleted, disabled or unsubscribed since it was queued, or an event past its retention: nothing to send.
  if (!webhook || !event || !subscribes(webhook, event.type)) return 'done';

  const body = JSON.stringify(event);
  const started = now();
  const sentAt = new Date(started);
  const headers = {
    'webhook-id': event.id,
    'webhook-timestamp': String(Math.floor(started / 1000)),
    'webhook-signature': new Signer(webhook.secret).sign(event.id, sentAt, body),
  };
  const outcome = await attempt(deps, webhook.url, headers, body);
  const success = 'status' in outcome && outcome.status >= 200 && outcome.status < 300;
  await deps.webhooks.recordAttempt(organizationId, endpointId, {
    event_id: event.id,
    event_type: event.type,
    webhook_id: event.id,
    attempted_at: isoSeconds(started),
    status: 'status' in outcome ? outcome.status : null,
    latency_ms: Math.max(0, Math.round(now() - started)),
    success,
    error: success ? null : 'error' in outcome ? outcome.error : `HTTP ${outcome.status}`,
  });
  if (success) {
    if (webhook.failing_since) await deps.webhooks.update(organizationId, endpointId, { failing_since: null });
    return 'done';
  }
  if (!webhook.failing_since) {
    await deps.webhooks.update(organizationId, endpointId, { failing_since: isoSeconds(started) });
    return 'retry';
  }
  if (started - Date.parse(webhook.failing_since) >= deps.disableAfterMs) {
    await deps.webhooks.disableFailing(organizationId, endpointId, isoSeconds(started));
    return 'done';
  }
  return 'retry';
}

/** The guard again (the address may have changed since the URL was saved), then the POST to the address it checked. */
async function attempt(deps: DeliveryDeps, raw: string, headers: Record<string, string>, body: string): Promise<SendOutcome> {
  const url = new URL(raw);
  try {
    const target = await checkedTarget(url, deps.guard, deps.resolver);
    return await sendWebhook(url, target, headers, body, deps.timeoutMs);
  } catch (error) {
    if (error instanceof AddressRefused) return { error: `address refused: ${error.message}` };
    throw error;
  }
}
