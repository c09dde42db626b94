import { FieldValue, Timestamp, type Firestore, type WriteBatch } from '@google-cloud/firestore';
import { EVENT_RETENTION_MS, type FileEventDraft, type FileEventType } from '../domain/file-events';
import type { FileEvent, FileObject } from '../generated/schema-types';

/**
 * `organizations/{org}/events/{event_id}` as stored: the outbox document that
 * the feed reads and the webhook relay delivers. `created_at` is the commit's
 * server timestamp (a Timestamp, not a string); `expire_at` is the TTL field;
 * `relay` is the delivery's state, `pending` when written.
 */
export interface StoredEvent {
  id: string;
  object: 'event';
  type: FileEventType;
  organization_id: string;
  data: { file: FileObject };
  created_at: Timestamp;
  expire_at: Timestamp;
  relay: string;
}

export const eventsPath = (organizationId: string) => `organizations/${organizationId}/events`;

/** Adds the drafts to the batch of their change: they commit with it, or not at all. */
export function addEvents(db: Firestore, batch: WriteBatch, drafts: FileEventDraft[], now = Date.now()): void {
  const expireAt = Timestamp.fromMillis(now + EVENT_RETENTION_MS);
  for (const draft of drafts) {
    batch.create(db.doc(`${eventsPath(draft.organization_id)}/${draft.id}`), {
      id: draft.id,
      object: 'event',
      type: draft.type,
      organization_id: draft.organization_id,
      data: { file: draft.file },
      // The time of the commit, set by Firestore (the same for every write of one commit): the feed's order.
      created_at: FieldValue.serverTimestamp(),
      expire_at: expireAt,
      relay: 'pending',
    });
  }
}

/** The Event object the API answers (and a webhook carries) for a stored event. */
export function toEventObject(stored: StoredEvent): FileEvent {
  return {
    id: stored.id,
    object: 'event',
    type: stored.type,
    created_at: stored.created_at.toDate().toISOString(),
    organization_id: stored.organization_id,
    data: { file: stored.data.file },
  };
}
