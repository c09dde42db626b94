import { Firestore } from '@google-cloud/firestore';
import * as functions from '@google-cloud/functions-framework';
import { Storage } from '@google-cloud/storage';
import { FirestoreDirectory } from './adapters/firestore-directory';
import { FirestoreFileRecords } from './adapters/firestore-file-records';
import { GcsObjects } from './adapters/gcs-objects';
import { GcsUploadSessions } from './adapters/gcs-upload-sessions';
import { ConfigError, loadConfig, type Config } from './config';
import { installBodyLayer } from './http/body-layer';
import { createFilesApi } from './http/files-api';

function configOrExplain(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) for (const problem of error.problems) console.error(`files-api config: ${problem}`);
    throw error;
  }
}

const config = configOrExplain();
installBodyLayer({ maxBodyBytes: config.maxBodyBytes, projectId: config.projectId });

// One client of each per instance, reused by every request. FIRESTORE_EMULATOR_HOST
// and STORAGE_EMULATOR_HOST point them at local emulators.
const firestore = new Firestore({ projectId: config.projectId, ignoreUndefinedProperties: true });
const storage = new Storage({ projectId: config.projectId });

functions.http(
  'files',
  createFilesApi({
    config,
    directory: new FirestoreDirectory(firestore, config.backendTimeoutMs),
    records: new FirestoreFileRecords(firestore, config.backendTimeoutMs),
    sessions: new GcsUploadSessions(storage.bucket(config.bucket), config.backendTimeoutMs),
    objects: new GcsObjects(storage.bucket(config.bucket), config.backendTimeoutMs),
  }),
);

/** Releases the Firestore channel once calls in flight have settled (tests; a graceful shutdown). */
export function closeBackends(): Promise<void> {
  return firestore.terminate();
}
