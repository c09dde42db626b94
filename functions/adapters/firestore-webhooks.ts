import { FieldValue, Timestamp, type DocumentSnapshot, type Firestore, type QueryDocumentSnapshot } from '@google-cloud/firestore';
import { memberPath, organizationPath, type MemberDoc, type Role } from '../domain/tenancy';
import { newEventId } from '../webhooks/ids';
import {
  MAX_WEBHOOKS_PER_ORGANIZATION,
  WebhookLimitReached,
  type AttemptDoc,
  type ClaimBatch,
  type ClaimedEvent,
  type StoredEvent,
  type Webhook,
  type WebhookDoc,
  type WebhookKeyClaim,
  type WebhookKeyReplay,
  type WebhookStore,
} from '../webhooks/webhook-store';
import { toWebhookObject } from '../webhooks/webhook-object';
import { withDeadline } from './deadline';
import { ALREADY_EXISTS, FAILED_PRECONDITION } from './grpc-status';

const EVENTS = 'events';
/** Idempotency-Keys of endpoint creates, kept apart from the files' (`idempotency_keys`); Firestore TTL on `expire_at`. */
const WEBHOOK_KEYS = 'webhook_keys';
/** `0` … `19`: one per endpoint, the organization's limit as documents (see create). */
const WEBHOOK_SLOTS = 'webhook_slots';

interface KeyDoc {
  fingerprint: string;
  endpoint_id: string;
  expire_at: Timestamp;
}

/** Events are kept 30 days (Firestore TTL on `expire_at`), as the feed promises. */
const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** Webhook endpoints, their attempts and the outbox's events, in Firestore. */
export class FirestoreWebhooks implements WebhookStore {
  /** Per organization, the slots creates of this instance are committing to, each until its commit ends. */
  private readonly trying = new Map<string, Map<number, Promise<unknown>>>();

  constructor(
    private readonly db: Firestore,
    private readonly timeoutMs: number,
  ) {}

  private run<T>(work: (answered: AbortSignal) => Promise<T>): Promise<T> {
    return withDeadline('firestore', this.timeoutMs, work);
  }

  private webhooks(organizationId: string) {
    return this.db.collection(`${organizationPath(organizationId)}/webhooks`);
  }

  roleOf(organizationId: string, principalId: string): Promise<Role | null> {
    return this.run(async () => {
      const snap = await this.db.doc(memberPath(organizationId, principalId)).get();
      return snap.exists ? (snap.data() as MemberDoc).role : null;
    });
  }

  list(organizationId: string): Promise<Webhook[]> {
    return this.run(async () => {
      const snap = await this.webhooks(organizationId).orderBy('created_at').get();
      return snap.docs.map((d) => ({ id: d.id, ...(d.data() as WebhookDoc) }));
    });
  }

  find(organizationId: string, id: string): Promise<Webhook | null> {
    return this.run(async () => {
      const snap = await this.webhooks(organizationId).doc(id).get();
      return snap.exists ? { id, ...(snap.data() as WebhookDoc) } : null;
    });
  }

  /**
   * The limit holds under any concurrency without a transaction on the organization's endpoints (40
   * creates at once each reading them all and writing one deadlock and time out together): each endpoint
   * holds one of 20 slot documents, made in the same batch as the endpoint with a create-only write, so
   * two creates can never hold one slot. Each attempt commits to one slot that was free when just read,
   * and that no other create of this instance is committing to, picked at random so that instances spread
   * over them too; one that finds every free slot being tried here waits for those tries to end, and a
   * create that loses its slot reads again rather than trying the slots it read before one by one (under a
   * burst most of them are taken by then, each a lost round trip). Past the deadline (503) it stops.
   */
  create(organizationId: string, webhook: Webhook, key?: WebhookKeyClaim): Promise<WebhookKeyReplay | undefined> {
    return this.run(async (answered) => {
      for (;;) {
        answered.throwIfAborted();
        const [held, free] = await Promise.all([key && this.keyClaim(organizationId, key.keyHash), this.freeSlots(organizationId)]);
        if (held?.replay) return held.replay;
        if (free.length === 0) {
          // The key's own create may have landed since its claim was read (one that answered 503 and was
          // still committing): that is the answer, not the limit.
          const replay = key && (await this.keyClaim(organizationId, key.keyHash)).replay;
          if (replay) return replay;
          throw new WebhookLimitReached();
        }
        const tried = this.trying.get(organizationId) ?? new Map<number, Promise<unknown>>();
        const untried = free.filter((slot) => !tried.has(slot));
        if (untried.length === 0) {
          // They may all land, leaving none: whatever their end, read again then.
          await Promise.allSettled(tried.values());
          continue;
        }
        answered.throwIfAborted();
        const slot = untried[Math.floor(Math.random() * untried.length)] as number;
        const attempt = this.createInSlot(organizationId, webhook, slot, key, held?.snap);
        this.trying.set(organizationId, tried.set(slot, attempt));
        try {
          if (await attempt) return undefined;
        } finally {
          tried.delete(slot);
          if (tried.size === 0 && this.trying.get(organizationId) === tried) this.trying.delete(organizationId);
        }
        // Another create took the slot, or the key (its endpoint is then the answer), meanwhile: read again.
      }
    });
  }

  private slots(organizationId: string) {
    return this.db.collection(`${organizationPath(organizationId)}/${WEBHOOK_SLOTS}`);
  }

  /** The slots not held; endpoints from before the slots each count as one held. */
  private async freeSlots(organizationId: string): Promise<number[]> {
    const [held, endpoints] = await Promise.all([
      this.slots(organizationId).select().get(),
      this.webhooks(organizationId).select('slot').get(),
    ]);
    const unslotted = endpoints.docs.filter((d) => d.get('slot') === undefined).length;
    const taken = new Set(held.docs.map((d) => d.id));
    const free: number[] = [];
    for (let slot = 0; slot < MAX_WEBHOOKS_PER_ORGANIZATION - unslotted; slot++) if (!taken.has(String(slot))) free.push(slot);
    return free;
  }

  /** The key's claim as stored, and the answer to replay when it holds and its endpoint still exists. */
  private async keyClaim(organizationId: string, keyHash: string): Promise<{ snap: DocumentSnapshot; replay?: WebhookKeyReplay }> {
    const snap = await this.db.doc(`${organizationPath(organizationId)}/${WEBHOOK_KEYS}/${keyHash}`).get();
    const claim = snap.exists ? (snap.data() as KeyDoc) : undefined;
    if (!claim || claim.expire_at.toMillis() <= Date.now()) return { snap };
    const made = await this.webhooks(organizationId).doc(claim.endpoint_id).get();
    // Deleted since: the key no longer names anything, and is taken afresh.
    if (!made.exists) return { snap };
    return { snap, replay: { fingerprint: claim.fingerprint, webhook: { id: made.id, ...(made.data() as WebhookDoc) } } };
  }

  /** The endpoint, the slot and its key's claim in one batch: all or none. False when another create took the slot or the key. */
  private async createInSlot(
    organizationId: string,
    webhook: Webhook,
    slot: number,
    key: WebhookKeyClaim | undefined,
    heldKey: DocumentSnapshot | undefined,
  ): Promise<boolean> {
    const { id, ...doc } = webhook;
    const batch = this.db.batch();
    batch.create(this.webhooks(organizationId).doc(id), { ...doc, slot });
    batch.create(this.slots(organizationId).doc(String(slot)), { endpoint_id: id });
    if (key && heldKey) {
      // The claim names the endpoint; its secret stays in the endpoint's document alone.
      const claim: KeyDoc = { fingerprint: key.fingerprint, endpoint_id: id, expire_at: Timestamp.fromMillis(Date.parse(key.expiresAt)) };
      // A stale claim (expired, or its endpoint deleted) is replaced only if no other create replaced it first.
      if (heldKey.exists) batch.update(heldKey.ref, { ...claim }, { lastUpdateTime: heldKey.updateTime });
      else batch.create(heldKey.ref, claim);
    }
    try {
      await batch.commit();
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === FAILED_PRECONDITION || code === ALREADY_EXISTS) return false;
      throw error;
    }
  }

  update(organizationId: string, id: string, change: Partial<WebhookDoc>): Promise<Webhook | null> {
    return this.run(() =>
      this.db.runTransaction(async (tx) => {
        const ref = this.webhooks(organizationId).doc(id);
        const snap = await tx.get(ref);
        if (!snap.exists) return null;
        tx.update(ref, change);
        return { id, ...(snap.data() as WebhookDoc), ...change };
      }),
    );
  }

  remove(organizationId: string, id: string): Promise<boolean> {
    return this.run(async () => {
      const ref = this.webhooks(organizationId).doc(id);
      const snap = await ref.get();
      if (!snap.exists) return false;
      // The endpoint and its slot together, so the slot is free exactly when the endpoint is gone.
      const slot = snap.get('slot') as number | undefined;
      const batch = this.db.batch().delete(ref);
      if (slot !== undefined) batch.delete(this.slots(organizationId).doc(String(slot)));
      await batch.commit();
      // Its attempts go too (at most a page of them is kept anyway).
      await this.db.recursiveDelete(ref);
      return true;
    });
  }

  recordAttempt(organizationId: string, endpointId: string, attempt: AttemptDoc): Promise<void> {
    return this.run(async () => {
      await this.webhooks(organizationId)
        .doc(endpointId)
        .collection('deliveries')
        .add({ ...attempt, expire_at: Timestamp.fromMillis(Date.parse(attempt.attempted_at) + EVENT_RETENTION_MS) });
    });
  }

  attempts(organizationId: string, endpointId: string, limit: number): Promise<AttemptDoc[]> {
    return this.run(async () => {
      const snap = await this.webhooks(organizationId)
        .doc(endpointId)
        .collection('deliveries')
        .orderBy('attempted_at', 'desc')
        .limit(limit)
        .get();
      return snap.docs.map((d) => {
        const { event_id, event_type, webhook_id, attempted_at, status, latency_ms, success, error } = d.data() as AttemptDoc;
        return { event_id, event_type, webhook_id, attempted_at, status, latency_ms, success, error };
      });
    });
  }

  disableFailing(organizationId: string, id: string, now: string): Promise<boolean> {
    return this.run(() =>
      this.db.runTransaction(async (tx) => {
        const ref = this.webhooks(organizationId).doc(id);
        const snap = await tx.get(ref);
        if (!snap.exists || !(snap.data() as WebhookDoc).enabled) return false;
        const change = { enabled: false, disabled_reason: 'failing' as const, updated_at: now };
        tx.update(ref, change);
        // Written like the file events: the same transaction as the change, relayed from the outbox.
        const eventId = newEventId();
        tx.create(this.db.doc(`${organizationPath(organizationId)}/${EVENTS}/${eventId}`), {
          id: eventId,
          object: 'event',
          type: 'webhook_endpoint.disabled',
          // As the file events (adapters/firestore-events.ts): the commit's time, the feed's order.
          created_at: FieldValue.serverTimestamp(),
          organization_id: organizationId,
          data: { webhook_endpoint: toWebhookObject({ id, ...(snap.data() as WebhookDoc), ...change }) },
          expire_at: Timestamp.fromMillis(Date.parse(now) + EVENT_RETENTION_MS),
          relay: 'pending',
        });
        return true;
      }),
    );
  }

  findEvent(organizationId: string, eventId: string): Promise<StoredEvent | null> {
    return this.run(async () => {
      const snap = await this.db.doc(`${organizationPath(organizationId)}/${EVENTS}/${eventId}`).get();
      return snap.exists ? publicEvent(snap.data() as Record<string, unknown>) : null;
    });
  }

  claimPending(limit: number, leaseMs: number, organizationId?: string): Promise<ClaimBatch> {
    return this.run(async () => {
      const events = organizationId ? this.db.collection(`${organizationPath(organizationId)}/${EVENTS}`) : this.db.collectionGroup(EVENTS);
      // Equality only: served by the automatic single-field index (and its collection-group
      // exemption, firestore.indexes.json). Claims held at once are few (a batch per running relay),
      // so the expired ones are picked out here rather than by a second, composite-indexed filter.
      const [pending, relaying] = await Promise.all([
        events.where('relay', '==', 'pending').limit(limit).get(),
        events.where('relay', '==', 'relaying').limit(limit).get(),
      ]);
      const now = Date.now();
      const expired = relaying.docs.filter((d) => ((d.get('relay_claim_until') as Timestamp | undefined)?.toMillis() ?? 0) <= now);
      const candidates = [...pending.docs, ...expired].slice(0, limit);
      const until = Timestamp.fromMillis(now + leaseMs);
      const claims = await Promise.all(candidates.map((d) => this.claim(d, until)));
      const claimed = claims.filter((c): c is ClaimedEvent => c !== undefined);
      return { claimed: claimed.sort((a, b) => a.created_at.localeCompare(b.created_at)), more: candidates.length >= limit };
    });
  }

  /**
   * `relaying` under a new claim, on the condition that the event is unchanged since it was read: of
   * relays racing for it, one write lands and the others fail their precondition. The claim is the
   * write's time, which the mark as sent is conditioned on in turn.
   */
  private async claim(snap: QueryDocumentSnapshot, until: Timestamp): Promise<ClaimedEvent | undefined> {
    try {
      const written = await snap.ref.update({ relay: 'relaying', relay_claim_until: until }, { lastUpdateTime: snap.updateTime });
      return { ...publicEvent(snap.data()), claim: `${written.writeTime.seconds}.${written.writeTime.nanoseconds}` };
    } catch (error) {
      if ((error as { code?: unknown }).code === FAILED_PRECONDITION) return undefined;
      throw error;
    }
  }

  markRelayed(event: ClaimedEvent): Promise<void> {
    const [seconds, nanoseconds] = event.claim.split('.').map(Number) as [number, number];
    return this.run(async () => {
      try {
        await this.db
          .doc(`${organizationPath(event.organization_id)}/${EVENTS}/${event.id}`)
          .update({ relay: 'sent', relay_claim_until: FieldValue.delete() }, { lastUpdateTime: new Timestamp(seconds, nanoseconds) });
      } catch (error) {
        // The claim expired and another relay took the event: the mark is its to make.
        if ((error as { code?: unknown }).code !== FAILED_PRECONDITION) throw error;
      }
    });
  }
}

/** The event as receivers see it, as the feed answers it (toEventObject): none of the outbox's bookkeeping. */
function publicEvent(doc: Record<string, unknown>): StoredEvent {
  const { id, type, organization_id, data } = doc as unknown as StoredEvent;
  const created = doc.created_at as Timestamp | string;
  const created_at = typeof created === 'string' ? created : created.toDate().toISOString();
  return { id, object: 'event', type, created_at, organization_id, data };
}
