import * as functions from '@google-cloud/functions-framework';
import { Storage } from '@google-cloud/storage';
import { lateCallsSettled } from './adapters/deadline';
import { createFirestore } from './adapters/firestore-client';
import { FirestoreDirectory } from './adapters/firestore-directory';
import { FirestoreEventFeed } from './adapters/firestore-event-feed';
import { FirestoreFileRecords } from './adapters/firestore-file-records';
import { FirestoreQuotas } from './adapters/firestore-quotas';
import { FirestoreWebhooks } from './adapters/firestore-webhooks';
import { PubSubDeliveries } from './adapters/pubsub-deliveries';
import { GcsDownloadSigner } from './adapters/gcs-download-signer';
import { GcsObjects } from './adapters/gcs-objects';
import { GcsUploadSessions } from './adapters/gcs-upload-sessions';
import { BackgroundWork } from './domain/background-work';
import { directUploadExpiryMs } from './domain/direct-upload-expiry';
import { sessionGraceMs } from './domain/session-grace';
import { ConfigError, loadConfig, type Config } from './config';
import { installBodyLayer } from './http/body-layer';
import { createFilesApi, streamsBody } from './http/files-api';
import { logBackgroundError } from './http/request-log';
import { createSweepEndpoint } from './jobs/sweep-trigger';
import { createFinalizeTrigger } from './events/finalize-trigger';
import { relayLeaseMs, relayPending } from './webhooks/relay';
import { createDeliveryEndpoint, createRelayEndpoint } from './webhooks/webhook-triggers';

/** Standard Webhooks' receivers answer promptly; an endpoint silent this long has failed the attempt. */
const WEBHOOK_TIMEOUT_MS = 10_000;

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

// Webhooks: endpoints and the outbox in Firestore, deliveries queued on Pub/Sub (PUBSUB_EMULATOR_HOST
// points the client at the emulator). The Pub/Sub client is loaded and built on the first publish: most
// requests (upload-url among them) never publish, and loading it is a cold start's work for nothing.
const webhooks = new FirestoreWebhooks(firestore, config.backendTimeoutMs);
let deliveries: Promise<PubSubDeliveries> | undefined;
async function loadDeliveries(): Promise<PubSubDeliveries> {
  const [{ PubSub }, grpc] = await Promise.all([import('@google-cloud/pubsub'), import('@grpc/grpc-js')]);
  // Given its grpc-js, the client makes its channel and its credentials with one copy of it: loaded twice
  // (Jest's isolateModules), it refuses its own credentials ("must be a ChannelCredentials object").
  return new PubSubDeliveries(new PubSub({ projectId: config.projectId, grpc }), config.webhooks.topic, config.backendTimeoutMs);
}
const enqueue: PubSubDeliveries['enqueue'] = async (messages) => (await (deliveries ??= loadDeliveries())).enqueue(messages);
const guard = { allowLoopback: config.webhooks.allowLoopback };
const relayDeps = { webhooks, enqueue, leaseMs: relayLeaseMs(config.backendTimeoutMs) };
// Every function that commits events relays them after its answer (the catch-up relays what that misses).
const prompt = { background, relay: (organizationId?: string) => relayPending(relayDeps, organizationId) };

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
    webhooks: { webhooks, guard, enqueue, idempotencyTtlSeconds: config.idempotencyTtlSeconds },
    afterChange: prompt.relay,
  }),
);

// Eventarc's google.cloud.storage.object.v1.finalized on the uploads bucket.
functions.http('finalize', createFinalizeTrigger({ bucket: config.bucket, records, objects, prompt }, config.projectId));

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
      directUploadExpiryMs: directUploadExpiryMs(config.requestTimeoutMs, config.backendTimeoutMs),
      onBackgroundError: logBackgroundError,
      prompt,
    },
    config.projectId,
  ),
);

// Pub/Sub's push subscription on the delivery topic: one attempt of one event to one endpoint.
functions.http(
  'deliver',
  createDeliveryEndpoint(
    { webhooks, guard, disableAfterMs: config.webhooks.disableAfterMs, timeoutMs: WEBHOOK_TIMEOUT_MS },
    config.projectId,
  ),
);

// Cloud Scheduler, every minute: relays the events a function that died right after committing left pending.
functions.http('relay', createRelayEndpoint(relayDeps, config.projectId));

/** A late call still retrying against a backend that came back settles within its client's backoff (seconds). */
const LATE_CALLS_LIMIT_MS = 10_000;

/**
 * Releases the Firestore channel once the work requests left running and the calls past their deadline have
 * settled (tests; a graceful shutdown). The work left running can make late calls, so it is waited for first.
 */
export async function closeBackends(): Promise<void> {
  await background.settled();
  await lateCallsSettled(LATE_CALLS_LIMIT_MS);
  await firestore.terminate();
}

/** For servers this project creates around the framework's app (the local stack's function host). */
export { answerClientErrors } from './http/client-error';
