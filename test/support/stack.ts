import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { seedTenant } from '../../scripts/local-stack/seed-tenant';
import { ensureBucket } from '../../scripts/local-stack/storage-bucket';
import { startFilesApi, type RunningApi, type Target } from './files-api-server';

export interface Stack {
  api: RunningApi;
  db: Firestore;
  storage: Storage;
  bucket: string;
  projectId: string;
  /** a member of `organizationId`, with an active key */
  organizationId: string;
  apiKey: string;
  keyId: string;
  principalId: string;
  uploadUrl(organizationId?: string): string;
  close(): Promise<void>;
}

/** A project and bucket of this test file's own, so files never see each other's data. */
export function isolatedNames(testFile: string): { projectId: string; bucket: string } {
  const slug = basename(testFile)
    .replace(/\.test\.ts$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40);
  const suffix = createHash('sha256').update(testFile).digest('hex').slice(0, 6);
  return { projectId: `test-${slug}-${suffix}`, bucket: `b-${slug}-${suffix}` };
}

export function emulatorHosts(): { firestore: string; storage: string } {
  const firestore = process.env.FIRESTORE_EMULATOR_HOST;
  const storage = process.env.STORAGE_EMULATOR_HOST;
  if (!firestore || !storage) throw new Error('the Jest global setup did not start the emulators');
  return { firestore, storage };
}

/** The organization (made if missing), `principalId` a member of it, and a new key of theirs. */
export async function seedMember(db: Firestore, organizationId: string, principalId: string) {
  const { apiKey, keyId } = await seedTenant(db, {
    organizationId,
    organizationName: `Organization ${organizationId}`,
    principalId,
    role: 'member',
  });
  return { apiKey, keyId };
}

/** Emulators from the global setup, the function served by functions-framework, one seeded member. */
export async function startStack(testFile: string, env: Record<string, string> = {}, targets: Target[] = ['files']): Promise<Stack> {
  const hosts = emulatorHosts();
  const { projectId, bucket } = isolatedNames(testFile);
  const db = new Firestore({ projectId });
  const storage = new Storage({ apiEndpoint: hosts.storage, projectId });
  await ensureBucket(hosts.storage, projectId, bucket);
  const organizationId = 'org_123';
  const principalId = 'usr_alice';
  const { apiKey, keyId } = await seedMember(db, organizationId, principalId);
  const api = await startFilesApi(
    {
      FIRESTORE_EMULATOR_HOST: hosts.firestore,
      STORAGE_EMULATOR_HOST: hosts.storage,
      GOOGLE_CLOUD_PROJECT: projectId,
      FILES_BUCKET: bucket,
      AUTH_CACHE_TTL_SECONDS: '0',
      BACKEND_TIMEOUT_MS: '5000',
      // Tests send many refused keys from one address; the failure limit has a test of its own.
      RATE_LIMIT_FAILURES_BURST: '10000000',
      ...env,
    },
    targets,
  );
  return {
    api,
    db,
    storage,
    bucket,
    projectId,
    organizationId,
    apiKey,
    keyId,
    principalId,
    uploadUrl: (org = organizationId) => `${api.url}/v1/organizations/${org}/files/upload-url`,
    close: async () => {
      await api.close();
      await db.terminate();
    },
  };
}
