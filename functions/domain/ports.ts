import type { ApiKeyDoc } from './api-key';
import type { FileRecord } from './file-record';

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

/** What the handlers need of Firestore's file records. */
export interface FileRecords {
  /** Creates the `uploading` record (and the claim, atomically); throws IdempotencyKeyTaken if the claim exists. */
  createUploading(record: FileRecord, claim?: IdempotencyClaim): Promise<void>;
  /** Stores the session URI on the record. */
  attachSession(organizationId: string, fileId: string, sessionUri: string): Promise<void>;
  /** Marks a record whose session could not be made. */
  markFailed(organizationId: string, fileId: string, reason: string): Promise<void>;
  findClaim(organizationId: string, keyHash: string): Promise<IdempotencyClaim | null>;
  /** Drops an expired claim so its key can be used again; false if it changed meanwhile. */
  releaseClaim(organizationId: string, claim: IdempotencyClaim): Promise<boolean>;
  find(organizationId: string, fileId: string): Promise<FileRecord | null>;
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

/** What the handlers need of Cloud Storage. */
export interface UploadSessions {
  /** Starts a resumable session (length, type and checksums pinned; never overwrites); resolves to its URI. */
  createSession(request: SessionRequest): Promise<string>;
  cancelSession(sessionUri: string): Promise<void>;
}

export class IdempotencyKeyTaken extends Error {
  constructor() {
    super('idempotency key already claimed');
  }
}
