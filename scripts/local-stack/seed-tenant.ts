import { Firestore } from '@google-cloud/firestore';
import { isWellFormedApiKey } from '../../functions/domain/api-key';
import { createApiKey, findApiKey, restoreApiKey } from '../admin/api-keys';
import { AlreadyExistsError } from '../admin/errors';
import { addMember, type MemberDoc } from '../admin/members';
import { createOrganization } from '../admin/organizations';
import { ensureBucket } from './storage-bucket';

export interface TenantSpec {
  organizationId: string;
  organizationName?: string;
  principalId: string;
  role?: MemberDoc['role'];
  /** a key minted earlier for this principal, kept working if it is still theirs (re-stored if lost) */
  previousKey?: string;
}

/** How the key came about: kept from before, re-stored after Firestore lost it, or new. */
export type KeyOrigin = 'reused' | 'restored' | 'new';

export interface SeededTenant {
  apiKey: string;
  keyId: string;
  origin: KeyOrigin;
}

async function unlessExists(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

/** An organization, a member and an API key for them, made idempotently. */
export async function seedTenant(db: Firestore, spec: TenantSpec): Promise<SeededTenant> {
  await unlessExists(() => createOrganization(db, spec.organizationId, spec.organizationName));
  await unlessExists(() => addMember(db, spec.organizationId, spec.principalId, spec.role));
  const previous = spec.previousKey;
  if (previous && isWellFormedApiKey(previous)) {
    const stored = await findApiKey(db, previous);
    if (stored?.principal_id === spec.principalId && stored.status !== 'deactivated')
      return { apiKey: previous, keyId: stored.key_id, origin: 'reused' };
    if (!stored) {
      const restored = await restoreApiKey(db, previous, spec.principalId);
      return { apiKey: previous, keyId: restored.key_id, origin: 'restored' };
    }
  }
  const created = await createApiKey(db, spec.principalId);
  return { apiKey: created.api_key, keyId: created.key_id, origin: 'new' };
}

/** The bucket and one tenant in a project: what every user of the emulators needs before the first request. */
export async function prepareProject(
  emulators: { firestoreHost: string; storageUrl: string },
  project: { projectId: string; bucket: string },
  tenant: TenantSpec,
): Promise<SeededTenant> {
  // The Firestore client reads the emulator's address from the environment when it is made.
  process.env.FIRESTORE_EMULATOR_HOST = emulators.firestoreHost;
  const db = new Firestore({ projectId: project.projectId });
  try {
    const [seeded] = await Promise.all([seedTenant(db, tenant), ensureBucket(emulators.storageUrl, project.projectId, project.bucket)]);
    return seeded;
  } finally {
    await db.terminate();
  }
}
