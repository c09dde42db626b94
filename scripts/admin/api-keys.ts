import type { Firestore } from '@google-cloud/firestore';
import { apiKeyHash, newApiKey, newKeyId } from '../../functions/domain/api-key';
import { isoSeconds } from '../../functions/domain/iso-time';
import { API_KEYS, apiKeyPath, type ApiKeyDoc, type ApiKeyStatus } from '../../functions/domain/tenancy';
import { AlreadyExistsError, NotFoundError, RefusedError } from './errors';
import { GrpcStatus, hasGrpcStatus } from './grpc-status';
import { checkKeyId, checkUserId } from './validate';

export interface CreatedApiKey {
  key_id: string;
  /** the plaintext key: returned here once, never stored */
  api_key: string;
  principal_id: string;
}

export type KeySummary = Pick<ApiKeyDoc, 'key_id' | 'status' | 'expires_at' | 'created_at' | 'last4'>;

export type KeyAction = 'pause' | 'resume' | 'revoke';

const STATUS_AFTER: Record<KeyAction, ApiKeyStatus> = {
  pause: 'paused',
  resume: 'active',
  revoke: 'deactivated',
};

function apiKeys(db: Firestore) {
  return db.collection(API_KEYS);
}

function newKeyDoc(apiKey: string, principalId: string, expiresAt: string | null): ApiKeyDoc {
  return {
    key_id: newKeyId(),
    principal_id: principalId,
    status: 'active',
    expires_at: expiresAt === null ? null : isoSeconds(Date.parse(expiresAt)),
    created_at: isoSeconds(Date.now()),
    last4: apiKey.slice(-4),
  };
}

/** Mints a key for `principalId` and stores only its hash. `expiresAt` is ISO-8601, stored in whole seconds. */
export async function createApiKey(db: Firestore, principalId: string, opts: { expiresAt?: string | null } = {}): Promise<CreatedApiKey> {
  checkUserId(principalId);
  const apiKey = newApiKey();
  const doc = newKeyDoc(apiKey, principalId, opts.expiresAt ?? null);
  await db.doc(apiKeyPath(apiKeyHash(apiKey))).create(doc);
  return { key_id: doc.key_id, api_key: apiKey, principal_id: principalId };
}

/** Stores the document for a key minted earlier (e.g. the local stack's demo key after its Firestore data was lost). */
export async function restoreApiKey(db: Firestore, apiKey: string, principalId: string): Promise<CreatedApiKey> {
  checkUserId(principalId);
  const doc = newKeyDoc(apiKey, principalId, null);
  try {
    await apiKeys(db).doc(apiKeyHash(apiKey)).create(doc);
  } catch (err) {
    if (hasGrpcStatus(err, GrpcStatus.ALREADY_EXISTS)) throw new AlreadyExistsError('that API key is stored already');
    throw err;
  }
  return { key_id: doc.key_id, api_key: apiKey, principal_id: principalId };
}

/** The stored document of a plaintext key, if any. */
export async function findApiKey(db: Firestore, apiKey: string): Promise<ApiKeyDoc | undefined> {
  const snap = await apiKeys(db).doc(apiKeyHash(apiKey)).get();
  return snap.exists ? (snap.data() as ApiKeyDoc) : undefined;
}

/** Pauses, resumes or revokes a key by its id. Revocation is final: a revoked key is never made usable again. */
export async function setKeyStatus(
  db: Firestore,
  keyId: string,
  action: KeyAction,
): Promise<{ key_id: string; status: ApiKeyStatus; changed: boolean }> {
  checkKeyId(keyId);
  const target = STATUS_AFTER[action];
  return db.runTransaction(async (tx) => {
    const found = await tx.get(apiKeys(db).where('key_id', '==', keyId).limit(1));
    const doc = found.docs[0];
    if (!doc) throw new NotFoundError(`API key ${keyId} does not exist`);
    const current = (doc.data() as ApiKeyDoc).status;
    if (current === 'deactivated' && target !== 'deactivated') {
      throw new RefusedError(`API key ${keyId} is revoked; revocation is final, create a new key instead`);
    }
    if (current !== target) tx.update(doc.ref, { status: target });
    return { key_id: keyId, status: target, changed: current !== target };
  });
}

/** A principal's keys, oldest first, without anything that would let one use them. */
export async function listKeys(db: Firestore, principalId: string): Promise<KeySummary[]> {
  checkUserId(principalId);
  // Sorted here rather than with orderBy, which would need a composite index next to the where; by the
  // documents' own creation times, which tell apart keys that created_at (whole seconds) does not.
  const snap = await apiKeys(db).where('principal_id', '==', principalId).get();
  return [...snap.docs]
    .sort((a, b) => a.createTime.valueOf().localeCompare(b.createTime.valueOf()))
    .map((d) => d.data() as ApiKeyDoc)
    .map(({ key_id, status, expires_at, created_at, last4 }) => ({ key_id, status, expires_at, created_at, last4 }));
}
