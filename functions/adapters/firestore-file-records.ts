import { FieldValue, Timestamp, type DocumentReference, type Firestore, type WriteBatch } from '@google-cloud/firestore';
import { applyFileChange, type FileChange, type FileUpdate } from '../domain/file-change';
import { fileEventDrafts } from '../domain/file-events';
import type { FileRecord } from '../domain/file-record';
import { prefixEnd } from '../domain/filename-key';
import {
  DirectUploadSwept,
  IdempotencyKeyTaken,
  UsageChanged,
  type DirectUpload,
  type DirectUploadMarker,
  type FileRecords,
  type FileStatus,
  type IdempotencyClaim,
  type ListQuery,
  type MarkerVersion,
  type ReservationBasis,
} from '../domain/ports';
import { usageDelta, type Usage } from '../domain/usage';
import { withDeadline } from './deadline';
import { claimMarker, markerAt, markerMoved, markerRef, staleMarkers, writeMarker } from './firestore-direct-uploads';
import { addEvents } from './firestore-events';
import { reservedCounter, updateTimeOf, usageShard } from './usage-shards';
import { ALREADY_EXISTS, FAILED_PRECONDITION, NOT_FOUND } from './grpc-status';

// Every state but `deleted`: what a listing shows when it names no status.
const VISIBLE: FileStatus[] = ['uploading', 'uploaded', 'failed', 'cancelled', 'expired'];

interface ClaimDoc {
  fingerprint: string;
  file_id: string;
  created_at: string;
  expires_at: string;
  /** For a Firestore TTL policy, so old claims delete themselves. */
  expire_at: Timestamp;
}

/**
 * `organizations/{org}/files/{file_id}` and `organizations/{org}/idempotency_keys/{hash}`;
 * each change of a file also writes its events (`organizations/{org}/events/…`) in its batch.
 */
export class FirestoreFileRecords implements FileRecords {
  constructor(
    private readonly db: Firestore,
    private readonly timeoutMs: number,
  ) {}

  createUploading(record: FileRecord, claim?: IdempotencyClaim, basis?: ReservationBasis): Promise<void> {
    return this.createReserved(record, claim, basis);
  }

  createUploaded(record: FileRecord, claim?: IdempotencyClaim, basis?: ReservationBasis, marker?: MarkerVersion): Promise<void> {
    return this.createReserved(record, claim, basis, marker);
  }

  /**
   * A new record (uploading, or a direct upload's uploaded) with its reservation and claim, in one batch;
   * a direct upload's marker is deleted in it, on the condition that no sweep has claimed it.
   */
  private createReserved(record: FileRecord, claim?: IdempotencyClaim, basis?: ReservationBasis, marker?: MarkerVersion): Promise<void> {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const org = record.organization_id;
      const batch = this.db.batch();
      batch.create(this.file(org, record.id), record);
      addEvents(this.db, batch, fileEventDrafts(null, record));
      this.reserve(batch, org, usageDelta(null, record.status, record.file_size), basis);
      if (claim) batch.create(this.claim(org, claim.keyHash), toClaimDoc(claim));
      if (marker) batch.delete(markerRef(this.db, org, record.id), markerAt(marker));
      try {
        await batch.commit();
      } catch (error) {
        const code = (error as { code?: number }).code;
        // Which precondition failed, only a read tells: the marker's is checked first, as it is final.
        if (marker && (code === FAILED_PRECONDITION || code === NOT_FOUND) && (await markerMoved(this.db, org, record.id, marker))) {
          throw new DirectUploadSwept();
        }
        if (code === FAILED_PRECONDITION && basis) throw new UsageChanged();
        // The counter's first create lost to another, or the record or claim exists: which one, only a read tells.
        if (code === ALREADY_EXISTS && basis === '' && (await reservedCounter(this.db, record.organization_id).get()).exists) {
          throw new UsageChanged();
        }
        if (claim && code === ALREADY_EXISTS) throw new IdempotencyKeyTaken();
        throw error;
      }
    });
  }

  fence(record: FileRecord): Promise<FileRecord | null> {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const ref = this.file(record.organization_id, record.id);
      const batch = this.db.batch();
      batch.create(ref, record);
      addEvents(this.db, batch, fileEventDrafts(null, record));
      try {
        await batch.commit();
        return null;
      } catch (error) {
        if ((error as { code?: number }).code !== ALREADY_EXISTS) throw error;
        return (await ref.get()).data() as FileRecord;
      }
    });
  }

  findClaim(organizationId: string, keyHash: string): Promise<IdempotencyClaim | null> {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const snap = await this.claim(organizationId, keyHash).get();
      if (!snap.exists) return null;
      const doc = snap.data() as ClaimDoc;
      return { keyHash, fingerprint: doc.fingerprint, fileId: doc.file_id, createdAt: doc.created_at, expiresAt: doc.expires_at };
    });
  }

  releaseClaim(organizationId: string, claim: IdempotencyClaim): Promise<boolean> {
    return withDeadline('firestore', this.timeoutMs, () =>
      this.db.runTransaction(async (tx) => {
        const ref = this.claim(organizationId, claim.keyHash);
        const snap = await tx.get(ref);
        if (!snap.exists || (snap.data() as ClaimDoc).file_id !== claim.fileId) return false;
        tx.delete(ref);
        return true;
      }),
    ).catch((error) => {
      if ((error as { code?: number }).code === FAILED_PRECONDITION) return false;
      throw error;
    });
  }

  find(organizationId: string, fileId: string): Promise<FileRecord | null> {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const snap = await this.file(organizationId, fileId).get();
      return snap.exists ? (snap.data() as FileRecord) : null;
    });
  }

  /**
   * Optimistic, not a transaction: read, then update on the condition that the
   * document is unchanged since. Concurrent callers never wait on a lock; a
   * loser re-reads and finds the state the winner left.
   */
  transition(organizationId: string, fileId: string, from: FileStatus, change: Partial<FileRecord>) {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const ref = this.file(organizationId, fileId);
      for (;;) {
        const snap = await ref.get();
        if (!snap.exists) return null;
        const record = snap.data() as FileRecord;
        if (record.status !== from) return { record, changed: false };
        const after = { ...record, ...change };
        const batch = this.db.batch();
        batch.update(ref, change, { lastUpdateTime: snap.updateTime });
        if (change.status) this.addUsage(batch, organizationId, usageDelta(from, change.status, record.file_size));
        addEvents(this.db, batch, fileEventDrafts(from, after));
        try {
          await batch.commit();
          return { record: after, changed: true };
        } catch (error) {
          if ((error as { code?: number }).code !== FAILED_PRECONDITION) throw error;
        }
      }
    });
  }

  /**
   * Read, decide (applyFileChange), write only the changed fields, on the
   * condition that the record is unchanged since the read; a loser decides
   * again on what the winner left. Compare-and-set, as transition is: a
   * transaction's loser backs off a second and more before it retries (12
   * concurrent updates of one record took 13-16 s on the emulator, 32-38
   * attempts; this way 3 s).
   */
  update(organizationId: string, fileId: string, change: FileChange): Promise<FileUpdate> {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const ref = this.file(organizationId, fileId);
      for (;;) {
        const snap = await ref.get();
        const outcome = applyFileChange(snap.exists ? (snap.data() as FileRecord) : null, change);
        if (!('updated' in outcome)) return outcome;
        const batch = this.db.batch();
        batch.update(ref, outcome.fields, { lastUpdateTime: snap.updateTime });
        addEvents(this.db, batch, fileEventDrafts(outcome.updated.status, outcome.updated, true));
        try {
          await batch.commit();
          return outcome;
        } catch (error) {
          if ((error as { code?: number }).code !== FAILED_PRECONDITION) throw error;
        }
      }
    });
  }

  /**
   * Every filter is an equality but `search`, a range on filename_key, which
   * Firestore then orders by first; each combination has its composite index
   * (firestore.indexes.json), so a page reads only the records it answers.
   */
  list(organizationId: string, query: ListQuery) {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const files = this.db.collection(`organizations/${organizationId}/files`);
      let filtered = query.status ? files.where('status', '==', query.status) : files.where('status', 'in', VISIBLE);
      if (query.purpose !== undefined) filtered = filtered.where('purpose', '==', query.purpose);
      if (query.search !== undefined) {
        filtered = filtered.where('filename_key', '>=', query.search);
        const end = prefixEnd(query.search);
        if (end !== undefined) filtered = filtered.where('filename_key', '<', end);
      }
      const byName = query.search !== undefined ? filtered.orderBy('filename_key') : filtered;
      const ordered = byName.orderBy('created_at', 'desc').orderBy('id', 'desc');
      // A cursor starts in the index where the last page ended; an offset reads (and bills) every record it skips.
      const after = query.after;
      const position = after && (query.search !== undefined ? [after.name, after.createdAt, after.id] : [after.createdAt, after.id]);
      const from = position ? ordered.startAfter(...position) : ordered;
      const [page, count] = await Promise.all([
        (query.offset > 0 ? from.offset(query.offset) : from).limit(query.limit).get(),
        filtered.count().get(),
      ]);
      return { records: page.docs.map((d) => d.data() as FileRecord), total: count.data().count };
    });
  }

  findExpired(now: string, limit: number) {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const snap = await this.db
        .collectionGroup('files')
        .where('status', '==', 'uploading')
        .where('expires_at', '<=', now)
        .orderBy('expires_at')
        .limit(limit)
        .get();
      return snap.docs.map((d) => d.data() as FileRecord);
    });
  }

  findLeftovers(limit: number) {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const snap = await this.db.collectionGroup('files').where('leftovers', '==', true).limit(limit).get();
      return snap.docs.map((d) => d.data() as FileRecord);
    });
  }

  findSessionless(createdBefore: string, limit: number) {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const snap = await this.db
        .collectionGroup('files')
        .where('status', '==', 'uploading')
        .where('session_uri', '==', null)
        .where('created_at', '<=', createdBefore)
        .orderBy('created_at')
        .limit(limit)
        .get();
      return snap.docs.map((d) => d.data() as FileRecord);
    });
  }

  markDirectUpload(upload: DirectUpload): Promise<MarkerVersion> {
    return withDeadline('firestore', this.timeoutMs, () => writeMarker(this.db, upload));
  }

  findStaleDirectUploads(createdBefore: string, limit: number): Promise<DirectUploadMarker[]> {
    return withDeadline('firestore', this.timeoutMs, () => staleMarkers(this.db, createdBefore, limit));
  }

  claimDirectUpload(marker: DirectUploadMarker): Promise<DirectUploadMarker | null> {
    return withDeadline('firestore', this.timeoutMs, () => claimMarker(this.db, marker));
  }

  removeDirectUpload(organizationId: string, fileId: string): Promise<void> {
    return withDeadline('firestore', this.timeoutMs, async () => {
      await markerRef(this.db, organizationId, fileId).delete();
    });
  }

  /**
   * A reservation, on the organization's counter: unconditional without a
   * basis, else only if the counter is still at the version that was read.
   */
  private reserve(batch: WriteBatch, organizationId: string, delta: Usage, basis: ReservationBasis | undefined): void {
    const counter = reservedCounter(this.db, organizationId);
    const added = { open_sessions: FieldValue.increment(delta.openSessions), stored_bytes: FieldValue.increment(delta.storedBytes) };
    if (basis === undefined) batch.set(counter, added, { merge: true });
    else if (basis === '') batch.create(counter, { open_sessions: delta.openSessions, stored_bytes: delta.storedBytes });
    else batch.update(counter, added, { lastUpdateTime: updateTimeOf(basis) });
  }

  /** A release (usage deltas after the reservation only subtract), on one shard picked at random: never contended. */
  private addUsage(batch: WriteBatch, organizationId: string, delta: Usage): void {
    if (delta.openSessions === 0 && delta.storedBytes === 0) return;
    batch.set(
      usageShard(this.db, organizationId),
      { open_sessions: FieldValue.increment(delta.openSessions), stored_bytes: FieldValue.increment(delta.storedBytes) },
      { merge: true },
    );
  }

  private file(organizationId: string, fileId: string): DocumentReference {
    return this.db.doc(`organizations/${organizationId}/files/${fileId}`);
  }

  private claim(organizationId: string, keyHash: string): DocumentReference {
    return this.db.doc(`organizations/${organizationId}/idempotency_keys/${keyHash}`);
  }
}

function toClaimDoc(claim: IdempotencyClaim): ClaimDoc {
  return {
    fingerprint: claim.fingerprint,
    file_id: claim.fileId,
    created_at: claim.createdAt,
    expires_at: claim.expiresAt,
    expire_at: Timestamp.fromMillis(Date.parse(claim.expiresAt)),
  };
}
