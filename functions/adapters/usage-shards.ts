import type { CollectionReference, DocumentReference, Firestore, Timestamp } from '@google-cloud/firestore';

/**
 * Firestore sustains about one write a second on one document; an
 * organization's usage is spread over this many, written at random and summed
 * when read, so concurrent uploads of one organization do not contend.
 */
export const USAGE_SHARDS = 16;

export function usageShards(db: Firestore, organizationId: string): CollectionReference {
  return db.collection(`organizations/${organizationId}/usage`);
}

export function usageShard(db: Firestore, organizationId: string): DocumentReference {
  return usageShards(db, organizationId).doc(String(Math.floor(Math.random() * USAGE_SHARDS)));
}

/** Every shard a write can pick, by name: read with one batch get rather than a query. */
export function allUsageShards(db: Firestore, organizationId: string): DocumentReference[] {
  const shards = usageShards(db, organizationId);
  return Array.from({ length: USAGE_SHARDS }, (_, i) => shards.doc(String(i)));
}

/** A Firestore timestamp as a Stamp: zero-padded seconds and nanoseconds, so strings sort in time order. */
export function stampOf(time: Timestamp): string {
  return `${String(time.seconds).padStart(12, '0')}.${String(time.nanoseconds).padStart(9, '0')}`;
}
