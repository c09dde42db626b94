import { subscribes, type DeliveryMessage, type Webhook, type WebhookStore } from './webhook-store';

export interface RelayDeps {
  webhooks: WebhookStore;
  enqueue: (messages: DeliveryMessage[]) => Promise<void>;
}

const BATCH = 200;

/**
 * Moves committed `relay: "pending"` events of the outbox onto the delivery
 * topic, one message per (event, endpoint that takes it), then marks each
 * `relay: "sent"`. Runs after a change's answer (its organization) and from
 * the scheduled catch-up (every organization), which finds what a function
 * that died right after committing left behind. Two runs may publish an event
 * twice: delivery is at least once, and the `webhook-id` lets receivers drop
 * the repeat. Answers how many events it relayed.
 */
export async function relayPending(deps: RelayDeps, organizationId?: string): Promise<number> {
  const endpointsOf = new Map<string, Promise<Webhook[]>>();
  let relayed = 0;
  for (;;) {
    const events = await deps.webhooks.pendingEvents(BATCH, organizationId);
    for (const event of events) {
      const org = event.organization_id;
      if (!endpointsOf.has(org)) endpointsOf.set(org, deps.webhooks.list(org));
      const targets = (await (endpointsOf.get(org) as Promise<Webhook[]>)).filter((w) => subscribes(w, event.type));
      await deps.enqueue(targets.map((w) => ({ organization_id: org, event_id: event.id, endpoint_id: w.id })));
      await deps.webhooks.markRelayed(org, event.id);
      relayed++;
    }
    if (events.length < BATCH) return relayed;
  }
}
