import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulators } from '../../scripts/local-stack/emulators';
import { prepareProject } from '../../scripts/local-stack/seed-tenant';
import { groupMembers } from '../../scripts/processes';
import { BENCH_ORGANIZATION_ID, BENCH_PRINCIPAL_ID } from '../servers/bench-tenant';
import { onInterrupt } from './on-interrupt';

export interface EmulatorStack {
  /** the environment the real function needs to run against these emulators */
  functionEnv: Record<string, string>;
  organizationId: string;
  apiKey: string;
  /** the emulators' processes, whose CPU use is part of what a request to the function costs */
  pids: number[];
  /** the storage emulator's own (its supervisor and node), part of `pids` */
  storagePids: number[];
  stop(): Promise<void>;
}

const PROJECT_ID = 'bench-project';
const BUCKET = 'bench-bucket';

/** Both emulators on free ports (started as `npm start` and the tests start them, so they stop when this
 * process does, however it ends), the bucket, and one organization with a member and an API key. */
export async function startEmulatorStack(): Promise<EmulatorStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'files-api-bench-storage-'));
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  const forget = onInterrupt(removeData);
  const cleanUp = () => {
    removeData();
    forget();
  };
  let emulators;
  try {
    emulators = await startEmulators({ storageDataDir: dataDir });
  } catch (error) {
    cleanUp();
    throw error;
  }
  const stop = async () => {
    await emulators.stop();
    cleanUp();
  };
  try {
    // The bench itself needs no metadata server.
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    const { apiKey } = await prepareProject(
      { firestoreHost: emulators.firestore.host, storageUrl: emulators.storage.url },
      { projectId: PROJECT_ID, bucket: BUCKET },
      { organizationId: BENCH_ORGANIZATION_ID, principalId: BENCH_PRINCIPAL_ID },
    );
    return {
      functionEnv: { FILES_BUCKET: BUCKET, GOOGLE_CLOUD_PROJECT: PROJECT_ID, ...emulators.env },
      organizationId: BENCH_ORGANIZATION_ID,
      apiKey,
      // Each emulator runs under a supervisor, in a group of its own: Java or node, and the supervisor.
      pids: [emulators.firestore.pid, emulators.storage.pid].flatMap(groupMembers),
      storagePids: groupMembers(emulators.storage.pid),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
