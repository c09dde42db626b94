import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPubSub, type RunningPubSub } from '../../emulator/pubsub';
import { startEmulators, type Emulators } from '../../scripts/local-stack/emulators';
import { ensureSigningKey } from '../../scripts/signing-key';

/** Starts the emulators once for the run, on free ports, the way `npm start` does; workers inherit the
 * env vars set here. Each test file seeds a project and bucket of its own (test/support/stack.ts). */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'files-api-test-storage-'));
  // The functions sign download URLs with it (application-default credentials); storage verifies them with it.
  const signingKey = ensureSigningKey(join(dataDir, 'signing-key.json'), 'files-api-test').path;
  process.env.GOOGLE_APPLICATION_CREDENTIALS = signingKey;
  const [emulators, pubsub] = await Promise.all([
    startEmulators({ storageDataDir: dataDir, storage: { signingCredentials: signingKey } }),
    // Webhook deliveries' queue (docs/WEBHOOKS.md); each test file makes topics of its own.
    startPubSub({ host: '127.0.0.1', port: 0 }),
  ]);
  Object.assign(process.env, emulators.env, { PUBSUB_EMULATOR_HOST: pubsub.host });
  process.env.TEST_STORAGE_DATA_DIR = dataDir;
  // No cloud here: the auth library need not probe for a metadata server.
  process.env.METADATA_SERVER_DETECTION = 'none';
  globalThis.__FILES_API_EMULATORS__ = { emulators, pubsub, dataDir };
}

declare global {
  var __FILES_API_EMULATORS__: { emulators: Emulators; pubsub: RunningPubSub; dataDir: string } | undefined;
}
