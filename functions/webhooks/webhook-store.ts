import type { Role } from '../domain/tenancy';
import type { WebhookEventTypes } from '../generated/schema-types';

/**
 * Webhooks as Firestore holds them:
 *
 *   organizations/{org}/webhooks/{we_…}                        WebhookDoc
 *   organizations/{org}/webhooks/{we_…}/deliveries/{auto id}   AttemptDoc
 *   organizations/{org}/webhook_slots/{0…19}                   {endpoint_id}: the limit, one slot per endpoint
 *   organizations/{org}/webhook_keys/{sha256}                  a create's Idempotency-Key: {fingerprint, endpoint_id, expire_at}
 *   organizations/{org}/events/{evt_…}                         EventDoc (the outbox; see docs/WEBHOOKS.md)
 */
export interface WebhookDoc {
  url: string;
  event_types: WebhookEventTypes;
  description: string;
  enabled: boolean;
  disabled_reason: 'failing' | 'manual' | null;
  /** Standard Webhooks key; never answered after create or rotate, never logged. */
  secret: string;
  created_at: string;
  updated_at: string;
  /** When the current run of failed attempts began; null after a success. */
  failing_since: string | null;
}

export interface Webhook extends WebhookDoc {
  id: string;
}

export interface AttemptDoc {
  event_id: string;
  event_type: string;
  webhook_id: string;
  attempted_at: string;
  status: number | null;
  latency_ms: number;
  success: boolean;
  error: string | null;
}

/** An event of the outbox, as the function reads it; relay bookkeeping stays out of the body sent. */
export interface StoredEvent {
  id: string;
  object: 'event';
  type: string;
  created_at: string;
  organization_id: string;
  data: Record<string, unknown>;
}

/** One delivery to queue: one Pub/Sub message per event and endpoint. */
export interface DeliveryMessage {
  organization_id: string;
  event_id: string;
  endpoint_id: string;
}

/** An Idempotency-Key on a create: `organizations/{org}/webhook_keys/{keyHash}` while it holds. */
export interface WebhookKeyClaim {
  keyHash: string;
  fingerprint: string;
  expiresAt: string;
}

/** The endpoint a key's first create made (as stored now, with its secret), and that create's fingerprint. */
export interface WebhookKeyReplay {
  fingerprint: string;
  webhook: Webhook;
}

export const MAX_WEBHOOKS_PER_ORGANIZATION = 20;

export class WebhookLimitReached extends Error {}

/** What the webhook endpoints, the relay and the delivery need of Firestore. */
export interface WebhookStore {
  roleOf(organizationId: string, principalId: string): Promise<Role | null>;
  list(organizationId: string): Promise<Webhook[]>;
  find(organizationId: string, id: string): Promise<Webhook | null>;
  /**
   * Throws WebhookLimitReached when the organization has its maximum already (checked in the same transaction).
   * Under a key, the key's claim is written with the endpoint; while it holds and its endpoint exists, the
   * create makes nothing and answers that endpoint, for the caller to replay.
   */
  create(organizationId: string, webhook: Webhook, key?: WebhookKeyClaim): Promise<WebhookKeyReplay | undefined>;
  /** The webhook after the change, or null when there is none. */
  update(organizationId: string, id: string, change: Partial<WebhookDoc>): Promise<Webhook | null>;
  remove(organizationId: string, id: string): Promise<boolean>;
  recordAttempt(organizationId: string, endpointId: string, attempt: AttemptDoc): Promise<void>;
  attempts(organizationId: string, endpointId: string, limit: number): Promise<AttemptDoc[]>;
  /** Disables the endpoint and writes its `webhook_endpoint.disabled` event in one transaction; false if it was disabled already. */
  disableFailing(organizationId: string, id: string, now: string): Promise<boolean>;
  findEvent(organizationId: string, eventId: string): Promise<StoredEvent | null>;
  /**
   * Claims up to `limit` events to relay, of one organization or of all (the catch-up): each `relay: "pending"`,
   * or `"relaying"` under a claim past its expiry, becomes `"relaying"` under this caller's claim for `leaseMs`.
   * An event another relay claims first is left to it. Oldest first.
   */
  claimPending(limit: number, leaseMs: number, organizationId?: string): Promise<ClaimBatch>;
  /** `relay: "sent"`, unless the claim expired and another relay has taken the event since. */
  markRelayed(event: ClaimedEvent): Promise<void>;
}

/** An event a relay holds the claim of: it alone publishes it until the claim expires. */
export interface ClaimedEvent extends StoredEvent {
  /** The claim's identity for the store (opaque to the relay). */
  claim: string;
}

export interface ClaimBatch {
  claimed: ClaimedEvent[];
  /** Whether the store saw `limit` candidates: there may be more to claim. */
  more: boolean;
}

/** Whether the endpoint receives events of this type (no types: every one). */
export function subscribes(webhook: Pick<WebhookDoc, 'enabled' | 'event_types'>, type: string): boolean {
  return webhook.enabled && (webhook.event_types.length === 0 || (webhook.event_types as string[]).includes(type));
}
