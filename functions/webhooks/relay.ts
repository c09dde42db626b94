import { subscribes, type ClaimedEvent, type DeliveryMessage, type Webhook, type WebhookStore } from './webhook-store';

export interface RelayDeps {
  webhooks: WebhookStore;
  enqueue: (messages: DeliveryMessage[]) => Promise<void>;
  /** How long a claim holds an event: see relayLeaseMs. */
  leaseMs: number;
}

const BATCH = 200;

/**
 * A claim must outlast its relay's publishing and marking of a batch, each
 * bounded by the backend deadline, with room; and a claim whose relay died is
 * taken again by a catch-up (every minute) once it expires.
 */
export function relayLeaseMs(backendTimeoutMs: number): number {
  return Math.max(60_000, 3 * backendTimeoutMs);
}

/**
 * Moves committed `relay: "pending"` events of the outbox onto the delivery
 * topic, one message per (event, endpoint that takes it), then marks each
 * `relay: "sent"`. Runs after a change's answer (its organization) and from
 * the scheduled catch-up (every organization), which finds what a function
 * that died right after committing left behind. Each event is claimed first
 * (`relay: "relaying"`, one conditional write): only its claimant publishes
 * it, so relays racing on an event never both send it. A relay that dies
 * holding claims leaves them to expire and be taken again: an event is then
 * published twice only if that relay had published it before dying.
 * Answers how many events it relayed.
 */
export async function relayPending(deps: RelayDeps, organizationId?: string): Promise<number> {
  const endpointsOf = new Map<string, Promise<Webhook[]>>();
  const endpoints = (org: string) => {
    if (!endpointsOf.has(org)) endpointsOf.set(org, deps.webhooks.list(org));
    return endpointsOf.get(org) as Promise<Webhook[]>;
  };
  const relayOne = async (event: ClaimedEvent) => {
    const org = event.organization_id;
    const targets = (await endpoints(org)).filter((w) => subscribes(w, event.type));
    await deps.enqueue(targets.map((w) => ({ organization_id: org, event_id: event.id, endpoint_id: w.id })));
    await deps.webhooks.markRelayed(event);
  };
  let relayed = 0;
  for (;;) {
    const { claimed, more } = await deps.webhooks.claimPending(BATCH, deps.leaseMs, organizationId);
    // A batch at once, so its claims are all used well within their lease; every one settles before a
    // failure is thrown (what failed stays claimed, and is taken again once its claim expires).
    const outcomes = await Promise.allSettled(claimed.map(relayOne));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    relayed += claimed.length;
    if (!more) return relayed;
  }
}
