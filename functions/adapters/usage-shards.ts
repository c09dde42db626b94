import { Timestamp, type CollectionReference, type DocumentReference, type Firestore } from '@google-cloud/firestore';

/**
 * An organization's usage lives in `organizations/{org}/usage`, summed when
 * read. Reservations (the only additions) go to one document, `reserved`,
 * under compare-and-set: that is what makes quotas exact, and what bounds the
 * rate one organization can start uploads at (docs/QUOTAS.md). Releases
 * (completions, failures, deletions) only subtract, so they may land anywhere
 * without a check: they are spread over this many shards, written at random,
 * and never contend with reservations or each other.
 */
export const USAGE_SHARDS = 16;

export function usageShards(db: Firestore, organizationId: string): CollectionReference {
  return db.collection(`organizations/${organizationId}/usage`);
}

/** The reservation counter: every upload's session and bytes are added here. */
export function reservedCounter(db: Firestore, organizationId: string): DocumentReference {
  return usageShards(db, organizationId).doc('reserved');
}

/** A shard for a release, picked at random. */
export function usageShard(db: Firestore, organizationId: string): DocumentReference {
  return usageShards(db, organizationId).doc(String(Math.floor(Math.random() * USAGE_SHARDS)));
}

/** Every document usage is kept in, by name: read with one batch get rather than a query. */
export function allUsageDocs(db: Firestore, organizationId: string): DocumentReference[] {
  const shards = usageShards(db, organizationId);
  return [reservedCounter(db, organizationId), ...Array.from({ length: USAGE_SHARDS }, (_, i) => shards.doc(String(i)))];
}

/** The counter's version, as a reservation basis: its update time, or '' while it does not exist. */
export function basisOf(updateTime: Timestamp | undefined): string {
  return updateTime ? `${updateTime.seconds}.${updateTime.nanoseconds}` : '';
}

export function updateTimeOf(basis: string): Timestamp {
  const [seconds, nanoseconds] = basis.split('.').map(Number);
  return new Timestamp(seconds, nanoseconds);
}
