import type { ApiKeyDoc } from './api-key';
import type { FileChange, FileUpdate } from './file-change';
import type { FileEventType } from './file-events';
import type { FileEvent } from '../generated/schema-types';
import type { FileRecord } from './file-record';
import type { ListPosition } from './page-token';
import type { Limits, Usage } from './usage';

/** What the handlers need of Firestore's tenancy data. */
export interface Directory {
  /** `api_keys/{hash}`, or null. */
  findApiKey(keyHash: string): Promise<ApiKeyDoc | null>;
  /** Whether `organizations/{org}/members/{principal}` exists. */
  isMember(organizationId: string, principalId: string): Promise<boolean>;
}

/** An Idempotency-Key claim, stored atomically with the record it produced. */
export interface IdempotencyClaim {
  /** sha256 of principal and key: the claim's document id */
  keyHash: string;
  /** sha256 of the canonical request */
  fingerprint: string;
  fileId: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * What the handlers need of Firestore's file records. Every write that
 * creates a file or changes its status also writes the change's events
 * (file-events.ts) in the same commit: a transactional outbox, so there is no
 * change without its event and no event without its change.
 */
export interface FileRecords {
  /**
   * Creates the `uploading` record with its reservation (its usage) and the
   * claim, atomically; throws IdempotencyKeyTaken if the claim exists. Given
   * the `basis` of a usage read, commits only if no reservation of the
   * organization landed since that read, and throws UsageChanged otherwise
   * (see reserve-upload.ts): reservations are compare-and-set, releases are not.
   */
  createUploading(record: FileRecord, claim?: IdempotencyClaim, basis?: ReservationBasis): Promise<void>;
  /**
   * Creates a direct upload's record, already `uploaded`, with its reservation
   * and the claim, as createUploading does (the same basis and UsageChanged).
   * Given the `version` markDirectUpload answered, deletes that marker in the
   * same commit, and commits only if the marker is still at that version:
   * throws DirectUploadSwept (nothing written) once the sweep has claimed it.
   */
  createUploaded(record: FileRecord, claim?: IdempotencyClaim, basis?: ReservationBasis, marker?: MarkerVersion): Promise<void>;
  /**
   * Writes the marker of a direct upload about to write its object (it fails
   * if one of that file id exists); resolves to the marker's version. It
   * exists exactly while the object may exist without a record.
   */
  markDirectUpload(upload: DirectUpload): Promise<MarkerVersion>;
  /** Markers of any organization created at or before `createdBefore`, oldest first. */
  findStaleDirectUploads(createdBefore: string, limit: number): Promise<DirectUploadMarker[]>;
  /**
   * Takes a marker for the sweep: changes its version only if it is still at
   * the one read, so that its upload's record can no longer be created.
   * Null when it changed or is gone (its record was created, or another
   * sweep took it).
   */
  claimDirectUpload(marker: DirectUploadMarker): Promise<DirectUploadMarker | null>;
  /** Deletes the marker; a missing one is not an error. */
  removeDirectUpload(organizationId: string, fileId: string): Promise<void>;
  /**
   * Writes `record` as it is (a settled one: no usage) unless a record of its
   * id exists, so that a create of that id still under way fails. Null when
   * this call wrote it; else the record that was there.
   */
  fence(record: FileRecord): Promise<FileRecord | null>;
  findClaim(organizationId: string, keyHash: string): Promise<IdempotencyClaim | null>;
  /** Drops an expired claim so its key can be used again; false if it changed meanwhile. */
  releaseClaim(organizationId: string, claim: IdempotencyClaim): Promise<boolean>;
  find(organizationId: string, fileId: string): Promise<FileRecord | null>;
  /**
   * Applies `change` only if the record is still in state `from`, atomically,
   * together with its organization's usage delta; `changed` says whether this
   * call made the transition. Null: no such record.
   */
  transition(
    organizationId: string,
    fileId: string,
    from: FileStatus,
    change: Partial<FileRecord>,
  ): Promise<{ record: FileRecord; changed: boolean } | null>;
  /**
   * Renames and/or changes the metadata of a record in one write: the change
   * is decided (applyFileChange) on the record as it is when the write
   * commits, and written only if allowed.
   */
  update(organizationId: string, fileId: string, change: FileChange): Promise<FileUpdate>;
  /**
   * One page of the visible records (or those in `status`) that match the
   * filters, after `offset` of them or after `after`, and how many match.
   * Newest first; with `search` (a filenameKey prefix), by filename_key, then newest first.
   */
  list(organizationId: string, query: ListQuery): Promise<{ records: FileRecord[]; total: number }>;
  /** `uploading` records of any organization whose session is past `expires_at`. */
  findExpired(now: string, limit: number): Promise<FileRecord[]>;
  /** Records of any organization whose session or object may outlive them (`leftovers`). */
  findLeftovers(limit: number): Promise<FileRecord[]>;
  /** `uploading` records of any organization created at or before `createdBefore` that never got a session URI, oldest first. */
  findSessionless(createdBefore: string, limit: number): Promise<FileRecord[]>;
}

export type FileStatus = FileRecord['status'];

/** A direct upload under way, as its marker records it (docs/DIRECT-UPLOAD.md). */
export interface DirectUpload {
  organizationId: string;
  fileId: string;
  /** the object the upload writes */
  objectName: string;
  createdAt: string;
}

/** Which write of a marker was read (opaque; every write of the marker changes it). */
export type MarkerVersion = string;

export interface DirectUploadMarker extends DirectUpload {
  version: MarkerVersion;
}

export interface ListQuery {
  status?: FileStatus;
  purpose?: string;
  /** a filenameKey(): records whose filename_key starts with it */
  search?: string;
  offset: number;
  limit: number;
  after?: ListPosition;
}

/**
 * The organization's events (written by FileRecords, each in the commit of its
 * change), oldest first: by commit time, then id.
 */
export interface EventFeed {
  /**
   * Up to `limit` events after the event `after` (from the first without it),
   * of the given types (any without), and whether more are ready. Null when
   * `after` names no event of the organization (unknown, or past retention).
   */
  listEvents(
    organizationId: string,
    query: { after?: string; limit: number; types?: FileEventType[] },
  ): Promise<{ events: FileEvent[]; hasMore: boolean } | null>;
}

/** What storage says of an object: the source of truth at registration. */
export interface StoredObject {
  name: string;
  generation: string;
  size: number;
  contentType: string;
  crc32c?: string;
  md5Hash?: string;
  metadata: Record<string, string>;
}

/** What the handlers need of Cloud Storage's objects. */
export interface ObjectStore {
  stat(objectName: string): Promise<StoredObject | null>;
  /** The first `bytes` bytes of that generation (fewer if the object is shorter); null once that generation is gone. */
  readHead(objectName: string, generation: string, bytes: number): Promise<Buffer | null>;
  /** Deletes the object (only that generation, when given); a missing object is not an error. */
  remove(objectName: string, generation?: string): Promise<void>;
}

/** What a direct upload needs of Cloud Storage besides an ObjectStore. */
export interface ObjectWriter {
  /**
   * Streams `bytes` into a new object, never over an existing one
   * (ifGenerationMatch=0), in one request: the object exists only once the
   * last byte is in, so a source that fails leaves none. Resolves to what
   * storage reports, and the CRC32C of the bytes that were sent.
   */
  write(request: NewObject, bytes: AsyncIterable<Buffer>): Promise<{ object: StoredObject; sentCrc32c: string }>;
}

export interface NewObject {
  objectName: string;
  contentType: string;
  metadata: Record<string, string>;
}

export interface SessionRequest {
  objectName: string;
  contentType: string;
  size: number;
  crc32c?: string;
  md5Hash?: string;
  origin?: string;
  metadata: Record<string, string>;
}

/**
 * Which reservations a usage read saw: the version of the organization's
 * reservation counter (opaque; equal versions, equal counters).
 */
export type ReservationBasis = string;

/** An organization's usage and its limits (the defaults where it sets none), as of `basis`. */
export interface UsageRead {
  usage: Usage;
  limits: Limits;
  basis: ReservationBasis;
}

/** An organization's current usage and its limits. */
export interface Quotas {
  usage(organizationId: string): Promise<UsageRead>;
}

/** What the handlers need of Cloud Storage. */
export interface UploadSessions {
  /** Starts a resumable session (length, type and checksums pinned; never overwrites); resolves to its URI. */
  createSession(request: SessionRequest): Promise<string>;
  cancelSession(sessionUri: string): Promise<void>;
  /**
   * How many bytes the session has persisted, from a status query (which
   * changes nothing); `complete` once the object exists, null once the session is gone.
   */
  sessionProgress(sessionUri: string): Promise<SessionProgress>;
}

export type SessionProgress = { received: number } | 'complete' | null;

export interface DownloadRequest {
  objectName: string;
  /** whole seconds: the URL is valid from `accessibleAt` until `expiresAt` */
  accessibleAt: Date;
  expiresAt: Date;
  /** a Content-Disposition value storage answers with */
  responseDisposition?: string;
}

/** What the handlers need to hand out reads of an object. */
export interface DownloadSigner {
  /** A V4 signed URL for GET (and HEAD) of the object; signing costs a round trip to IAM in production. */
  signDownloadUrl(request: DownloadRequest): Promise<string>;
}

/** A reservation landed after the usage read a create was based on: read again, and decide again. */
export class UsageChanged extends Error {
  constructor() {
    super('usage changed since it was read');
  }
}

/** The sweep claimed a direct upload's marker (the upload outlived the longest a request lives): its record cannot be created. */
export class DirectUploadSwept extends Error {
  constructor() {
    super('the direct upload was swept before its record was written');
  }
}

export class IdempotencyKeyTaken extends Error {
  constructor() {
    super('idempotency key already claimed');
  }
}
