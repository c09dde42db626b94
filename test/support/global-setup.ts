import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFirestoreEmulator } from '../../emulator/firestore/launch';
import { freePort } from '../../emulator/free-port';
import { startStorageEmulator } from '../../emulator/storage/launch';
import { ensureSigningKey } from '../../scripts/signing-key';

/** Starts both emulators once for the run; workers inherit the env vars set here. */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'files-api-test-storage-'));
  // The functions sign download URLs with it (application-default credentials).
  process.env.GOOGLE_APPLICATION_CREDENTIALS = ensureSigningKey(join(dataDir, 'signing-key.json'), 'files-api-test').path;
  const [firestore, storage] = await Promise.all([
    freePort().then((port) => startFirestoreEmulator({ host: '127.0.0.1', port })),
    startStorageEmulator({ dataDir }),
  ]);
  process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
  process.env.STORAGE_EMULATOR_HOST = storage.url;
  process.env.TEST_STORAGE_DATA_DIR = dataDir;
  // No cloud here: the auth library need not probe for a metadata server.
  process.env.METADATA_SERVER_DETECTION = 'none';
  globalThis.__FILES_API_EMULATORS__ = { firestore, storage, dataDir };
}

declare global {
  // eslint-disable-next-line no-var
  var __FILES_API_EMULATORS__:
    | { firestore: { stop(): Promise<void> }; storage: { stop(): Promise<void> }; dataDir: string }
    | undefined;
}
