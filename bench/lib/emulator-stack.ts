import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFirestoreEmulator } from '../../emulator/firestore/launch';
import { freePort } from '../../emulator/free-port';
import { startStorageEmulator } from '../../emulator/storage/launch';
import { createApiKey } from '../../scripts/admin/api-keys';
import { addMember } from '../../scripts/admin/members';
import { createOrganization } from '../../scripts/admin/organizations';
import { BENCH_ORGANIZATION_ID, BENCH_PRINCIPAL_ID } from '../servers/bench-tenant';
import { killGroup, onInterrupt } from './on-interrupt';

export interface EmulatorStack {
  /** the environment the real function needs to run against these emulators */
  functionEnv: Record<string, string>;
  organizationId: string;
  apiKey: string;
  /** the emulators' processes, whose CPU use is part of what a request to the function costs */
  pids: number[];
  stop(): Promise<void>;
}

const PROJECT_ID = 'bench-project';
const BUCKET = 'bench-bucket';

/** Both emulators on free ports, the bucket, and one organization with a member and an API key. */
export async function startEmulatorStack(): Promise<EmulatorStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'files-api-bench-storage-'));
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  const stoppers: Array<() => Promise<void>> = [async () => removeData()];
  const forget = [onInterrupt(removeData)];
  const stop = async () => {
    for (const each of stoppers.reverse()) await each();
    for (const each of forget) each();
  };
  try {
    const firestore = await startFirestoreEmulator({ host: '127.0.0.1', port: await freePort() });
    stoppers.push(() => firestore.stop());
    forget.push(onInterrupt(killGroup(firestore.pid)));
    const storage = await startStorageEmulator({ dataDir });
    stoppers.push(() => storage.stop());
    forget.push(onInterrupt(() => storage.kill()));

    // The seeding clients below read these; the bench itself needs no metadata server.
    process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    const { Storage } = await import('@google-cloud/storage');
    await new Storage({ apiEndpoint: storage.url, projectId: PROJECT_ID }).createBucket(BUCKET);
    const { Firestore } = await import('@google-cloud/firestore');
    const db = new Firestore({ projectId: PROJECT_ID });
    const organizationId = BENCH_ORGANIZATION_ID;
    let apiKey: string;
    try {
      await createOrganization(db, organizationId);
      await addMember(db, organizationId, BENCH_PRINCIPAL_ID);
      apiKey = (await createApiKey(db, BENCH_PRINCIPAL_ID)).api_key;
    } finally {
      await db.terminate();
    }
    return {
      functionEnv: {
        FILES_BUCKET: BUCKET,
        GOOGLE_CLOUD_PROJECT: PROJECT_ID,
        FIRESTORE_EMULATOR_HOST: firestore.host,
        STORAGE_EMULATOR_HOST: storage.url,
      },
      organizationId,
      apiKey,
      pids: [firestore.pid, storage.pid],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
