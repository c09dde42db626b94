import * as functions from '@google-cloud/functions-framework';
import { Storage } from '@google-cloud/storage';
import { createFirestore } from './adapters/firestore-client';
import { FirestoreDirectory } from './adapters/firestore-directory';
import { FirestoreEventFeed } from './adapters/firestore-event-feed';
import { FirestoreFileRecords } from './adapters/firestore-file-records';
import { FirestoreQuotas } from './adapters/firestore-quotas';
import { GcsDownloadSigner } from './adapters/gcs-download-signer';
import { GcsObjects } from './adapters/gcs-objects';
import { GcsUploadSessions } from './adapters/gcs-upload-sessions';
import { BackgroundWork } from './domain/background-work';
import { sessionGraceMs } from './domain/session-grace';
import { ConfigError, loadConfig, type Config } from './config';
import { installBodyLayer } from './http/body-layer';
import { createFilesApi, streamsBody } from './http/files-api';
import { logBackgroundError } from './http/request-log';
import { createSweepEndpoint } from './jobs/sweep-trigger';
import { createFinalizeTrigger } from './events/finalize-trigger';

function configOrExplain(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) for (const problem of error.problems) console.error(`files-api config: ${problem}`);
    throw error;
  }
}

const config = configOrExplain();
installBodyLayer({
  maxBodyBytes: config.maxBodyBytes,
  projectId: config.projectId,
  corsAllowedOrigins: config.corsAllowedOrigins,
  streamsBody,
});

// One client of each per instance, reused by every request. FIRESTORE_EMULATOR_HOST
// and STORAGE_EMULATOR_HOST point them at local emulators.
const firestore = createFirestore(config.projectId, config.backendTimeoutMs);
const storage = new Storage({ projectId: config.projectId });

const records = new FirestoreFileRecords(firestore, config.backendTimeoutMs);
const sessions = new GcsUploadSessions(storage.bucket(config.bucket), config.backendTimeoutMs);
const objects = new GcsObjects(storage.bucket(config.bucket), config.backendTimeoutMs);
const quotas = new FirestoreQuotas(
  firestore,
  { maxOpenSessions: config.defaultMaxOpenSessions, maxStoredBytes: config.defaultMaxStoredBytes },
  config.backendTimeoutMs,
);

const background = new BackgroundWork(logBackgroundError);

functions.http(
  'files',
  createFilesApi({
    config,
    background,
    directory: new FirestoreDirectory(firestore, config.backendTimeoutMs),
    records,
    events: new FirestoreEventFeed(firestore, config.backendTimeoutMs),
    sessions,
    objects,
    quotas,
    signer: new GcsDownloadSigner(storage.bucket(config.bucket), config.backendTimeoutMs),
  }),
);

// Eventarc's google.cloud.storage.object.v1.finalized on the uploads bucket.
functions.http('finalize', createFinalizeTrigger({ bucket: config.bucket, records, objects }, config.projectId));

// Cloud Scheduler, every few minutes.
functions.http(
  'sweep',
  createSweepEndpoint(
    {
      records,
      objects,
      sessions,
      batchSize: 100,
      budgetMs: 30_000,
      sessionGraceMs: sessionGraceMs(config.backendTimeoutMs),
      onBackgroundError: logBackgroundError,
    },
    config.projectId,
  ),
);

/** Releases the Firestore channel once the work requests left running and the calls in flight have settled (tests; a graceful shutdown). */
export async function closeBackends(): Promise<void> {
  await background.settled();
  await firestore.terminate();
}

/** For servers this project creates around the framework's app (the local stack's function host). */
export { answerClientErrors } from './http/client-error';
