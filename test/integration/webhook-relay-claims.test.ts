import { FieldValue, Firestore, Timestamp } from '@google-cloud/firestore';
import { FirestoreWebhooks } from '../../functions/adapters/firestore-webhooks';
import { relayPending, type RelayDeps } from '../../functions/webhooks/relay';
import type { DeliveryMessage } from '../../functions/webhooks/webhook-store';
import { isolatedNames } from '../support/stack';

// The relays against the Firestore emulator of the Jest global setup, in a project of this file's own;
// the delivery topic is a counter, so every publish is seen.
const db = new Firestore({ projectId: isolatedNames(__filename).projectId });
const webhooks = new FirestoreWebhooks(db, 30_000);
afterAll(() => db.terminate());

const LEASE_MS = 60_000;

/** Every message the relays publish, and a relay's deps that publish there. */
function countingTopic() {
  const published: DeliveryMessage[] = [];
  const deps: RelayDeps = {
    webhooks,
    leaseMs: LEASE_MS,
    enqueue: async (messages) => {
      // A publish takes a moment, as Pub/Sub's does: the relays' work overlaps.
      await new Promise((r) => setTimeout(r, 5));
      published.push(...messages);
    },
  };
  const timesPublished = (eventId: string) => published.filter((m) => m.event_id === eventId).length;
  return { deps, published, timesPublished };
}

async function seedOrganization(organizationId: string, events: number): Promise<string[]> {
  const now = new Date().toISOString();
  await webhooks.create(organizationId, {
    id: 'we_relayclaims',
    url: 'https://hooks.example.com/in',
    event_types: [],
    description: '',
    enabled: true,
    disabled_reason: null,
    secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
    created_at: now,
    updated_at: now,
    failing_since: null,
  });
  const ids = Array.from({ length: events }, (_, i) => `evt_${organizationId.replace(/_/g, '')}${i}`);
  const batch = db.batch();
  for (const id of ids) {
    // As the outbox commits an event (adapters/firestore-events.ts).
    batch.create(db.doc(`organizations/${organizationId}/events/${id}`), {
      id,
      object: 'event',
      type: 'file.uploaded',
      created_at: FieldValue.serverTimestamp(),
      organization_id: organizationId,
      data: { file: { id: 'file_x' } },
      expire_at: Timestamp.fromMillis(Date.now() + 86400_000),
      relay: 'pending',
    });
  }
  await batch.commit();
  return ids;
}

const relayOf = async (organizationId: string, eventId: string) =>
  (await db.doc(`organizations/${organizationId}/events/${eventId}`).get()).get('relay') as string;

test('prompt and catch-up relays racing on the same pending events publish each event exactly once', async () => {
  const ids = await seedOrganization('org_race', 40);
  const { deps, published, timesPublished } = countingTopic();
  // Two prompt relays (the organization's changes) and two catch-ups (every organization), all at once.
  const counts = await Promise.all([
    relayPending(deps, 'org_race'),
    relayPending(deps),
    relayPending(deps, 'org_race'),
    relayPending(deps),
  ]);

  expect(ids.map(timesPublished)).toEqual(ids.map(() => 1));
  expect(published).toHaveLength(ids.length);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(ids.length);
  expect(await Promise.all(ids.map((id) => relayOf('org_race', id)))).toEqual(ids.map(() => 'sent'));
});

test('a relay whose claim expired and was taken again cannot mark the event sent', async () => {
  const [eventId] = (await seedOrganization('org_late', 1)) as [string];
  const late = await webhooks.claimPending(200, LEASE_MS, 'org_late');
  await db.doc(`organizations/org_late/events/${eventId}`).update({ relay_claim_until: Timestamp.fromMillis(Date.now() - 1000) });
  const taken = await webhooks.claimPending(200, LEASE_MS, 'org_late');
  expect(taken.claimed.map((e) => e.id)).toEqual([eventId]);

  // The first relay comes back after its lease: the event stays with the claim that holds it.
  await webhooks.markRelayed(late.claimed[0] as (typeof late.claimed)[number]);
  expect(await relayOf('org_late', eventId)).toBe('relaying');
  await webhooks.markRelayed(taken.claimed[0] as (typeof taken.claimed)[number]);
  expect(await relayOf('org_late', eventId)).toBe('sent');
});

test('a claim whose relay died is left alone while it holds, then taken again once it expires, and published once', async () => {
  const [eventId] = (await seedOrganization('org_died', 1)) as [string];
  // A relay claims the event and dies before publishing it.
  const dead = await webhooks.claimPending(200, LEASE_MS, 'org_died');
  expect(dead.claimed.map((e) => e.id)).toEqual([eventId]);

  const { deps, timesPublished } = countingTopic();
  await Promise.all([relayPending(deps, 'org_died'), relayPending(deps)]);
  expect(timesPublished(eventId)).toBe(0);
  expect(await relayOf('org_died', eventId)).toBe('relaying');

  // Its lease runs out (set in the past rather than waited for).
  await db.doc(`organizations/org_died/events/${eventId}`).update({ relay_claim_until: Timestamp.fromMillis(Date.now() - 1000) });
  await Promise.all([relayPending(deps, 'org_died'), relayPending(deps), relayPending(deps)]);
  expect(timesPublished(eventId)).toBe(1);
  expect(await relayOf('org_died', eventId)).toBe('sent');
});
