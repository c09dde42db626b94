import { FieldPath, type Firestore, type Timestamp } from '@google-cloud/firestore';
import { FILE_EVENT_TYPES, type FileEventType } from '../domain/file-events';
import type { EventFeed } from '../domain/ports';
import { withDeadline } from './deadline';
import { eventsPath, toEventObject, type StoredEvent } from './firestore-events';

/**
 * How long after the query's read time an event must have committed to be
 * served. Firestore's server timestamp has millisecond precision and is "the
 * time the server processed the request": a later commit can carry the same
 * millisecond as an event already served, or (in principle) a time a little
 * before its commit. Serving only events older than this margin at the read
 * time makes every served prefix final, so a cursor never skips one
 * (docs/EVENTS.md, "Ordering").
 */
export const SETTLE_MS = 1000;

/** The feed of `organizations/{org}/events`, by (created_at, id). */
export class FirestoreEventFeed implements EventFeed {
  constructor(
    private readonly db: Firestore,
    private readonly timeoutMs: number,
    private readonly settleMs = SETTLE_MS,
  ) {}

  listEvents(organizationId: string, query: { after?: string; limit: number; types?: FileEventType[] }) {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const events = this.db.collection(eventsPath(organizationId));
      let position: [Timestamp, string] | undefined;
      if (query.after !== undefined) {
        const cursor = await events.doc(query.after).get();
        if (!cursor.exists) return null;
        position = [(cursor.data() as StoredEvent).created_at, query.after];
      }
      // The feed is of files: an endpoint's own event (webhook_endpoint.disabled) shares the outbox but goes to webhooks only.
      const filtered = events.where('type', 'in', query.types?.length ? query.types : [...FILE_EVENT_TYPES]);
      const ordered = filtered.orderBy('created_at').orderBy(FieldPath.documentId());
      // One event more than the page says whether more are ready.
      const snap = await (position ? ordered.startAfter(...position) : ordered).limit(query.limit + 1).get();
      const settledBefore = snap.readTime.toMillis() - this.settleMs;
      // Ordered by time: what has not settled yet is a tail, served by a later call.
      const ready = snap.docs.map((d) => d.data() as StoredEvent).filter((e) => e.created_at.toMillis() < settledBefore);
      return { events: ready.slice(0, query.limit).map(toEventObject), hasMore: ready.length > query.limit };
    });
  }
}
