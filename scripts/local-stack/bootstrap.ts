import { Firestore } from '@google-cloud/firestore';
import { startFirestoreEmulator, type RunningEmulator } from '../../emulator/firestore/launch';
import { freePort } from '../../emulator/free-port';
import { isWellFormedApiKey } from '../../functions/domain/api-key';
import { createApiKey, findApiKey, restoreApiKey } from '../admin/api-keys';
import { AlreadyExistsError } from '../admin/errors';
import { addMember, type MemberDoc } from '../admin/members';
import { createOrganization } from '../admin/organizations';
import { ensureBucket } from './storage-bucket';
import { startSupervisedStorageEmulator, type SupervisedStorageOptions, type SupervisedStorageEmulator } from './storage-emulator';
import { spawnSupervised } from './supervised-child';

/**
 * The one way this repository starts its emulators and seeds a tenant: `npm start`, the Jest global
 * setup and the benchmarks all come through here. Both emulators run under a supervisor, so neither
 * outlives the process that started it, however that process ends.
 */

export interface FirestoreOptions {
  host: string;
  /** 0 for a free one */
  port: number;
  /** an `.overall_export_metadata` file to load before serving */
  importData?: string;
}

/** Google's Firestore emulator (Java) under a supervisor; `pid` leads the group Java runs in. */
export async function startSupervisedFirestore(opts: FirestoreOptions): Promise<RunningEmulator> {
  return startFirestoreEmulator({
    host: opts.host,
    port: opts.port || (await freePort()),
    importData: opts.importData,
    spawn: (command, args) => spawnSupervised(command, args),
  });
}

export { startSupervisedStorageEmulator, type SupervisedStorageEmulator };

export interface Emulators {
  firestore: RunningEmulator;
  storage: SupervisedStorageEmulator;
  /** what the functions and Google's clients need to find them */
  env: { FIRESTORE_EMULATOR_HOST: string; STORAGE_EMULATOR_HOST: string };
  stop(): Promise<void>;
}

/** Both emulators at once, on loopback; free ports unless given. */
export async function startEmulators(opts: {
  storageDataDir: string;
  firestorePort?: number;
  storage?: Partial<SupervisedStorageOptions>;
}): Promise<Emulators> {
  const [firestore, storage] = await Promise.allSettled([
    startSupervisedFirestore({ host: '127.0.0.1', port: opts.firestorePort ?? 0 }),
    startSupervisedStorageEmulator({ host: '127.0.0.1', port: 0, ...opts.storage, dataDir: opts.storageDataDir }),
  ]);
  if (firestore.status === 'rejected' || storage.status === 'rejected') {
    await Promise.all([firestore, storage].map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw firestore.status === 'rejected' ? firestore.reason : (storage as PromiseRejectedResult).reason;
  }
  return {
    firestore: firestore.value,
    storage: storage.value,
    env: { FIRESTORE_EMULATOR_HOST: firestore.value.host, STORAGE_EMULATOR_HOST: storage.value.url },
    stop: async () => {
      await Promise.all([firestore.value.stop(), storage.value.stop()]);
    },
  };
}

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
