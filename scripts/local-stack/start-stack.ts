import { join } from 'node:path';
import { findFirestoreJar } from '../../emulator/firestore';
import type { StartedSet } from '../processes';
import { assertPortFree } from './assert-port-free';
import { DEMO, demoTenant, type DemoKeyOrigin } from './demo-seed';
import { previousApiKey, writeDevFile, type DevFile } from './dev-file';
import type { Snapshot } from './firestore-snapshot';
import { checkFunctionConfig } from './function-config';
import { prepareProject } from './seed-tenant';
import type { StackConfig } from './stack-config';
import { startStackFirestore } from './stack-firestore';
import { functionEnv, startStackFunctions, untilListening } from './stack-functions';
import { startStackStorage } from './stack-storage';
import { startStackWeb, webAddress } from './stack-web';
import { describeRelay, describeSweep, scheduleCalls } from './scheduled-calls';
import { startStackWebhooks } from './stack-webhooks';

export interface StartedStack {
  dev: DevFile;
  devFilePath: string;
  keyOrigin: DemoKeyOrigin;
  /** the Firestore snapshot the emulator started from, if any */
  imported: Snapshot | undefined;
  /** the browser uploader's page */
  webUrl: string;
}

/** Starts the stack one piece at a time, adding each to `started` as soon as it runs, so a failure
 * (or `abort`) at any step leaves the caller able to stop exactly what was started. */
export async function startLocalStack(config: StackConfig, started: StartedSet, abort: AbortSignal): Promise<StartedStack> {
  checkFunctionConfig(functionEnv(config));
  findFirestoreJar();
  await Promise.all([
    assertPortFree('Firestore emulator', config.firestore),
    assertPortFree('storage emulator', config.storage),
    assertPortFree('files function', config.function),
    assertPortFree('finalize function', config.finalize),
    assertPortFree('sweep function', config.sweep),
    assertPortFree('Pub/Sub emulator', config.pubsub),
    assertPortFree('deliver function', config.deliver),
    assertPortFree('relay function', config.relay),
    assertPortFree('browser uploader', webAddress()),
  ]);
  // Nothing local needs Google's metadata server; probing it costs a second and prints a warning
  // (in this process and in the functions, which inherit it).
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const functions = startStackFunctions(config, started);
  const [firestore, storage, pubsubHost] = await allStarted([
    startStackFirestore(config, started),
    // The emulator sends an event as soon as an object completes, even one a client resumes from
    // before a restart, so the function that takes them is listening before the emulator is.
    untilListening(functions.finalize).then(() => startStackStorage(config, started, functions.finalize.url)),
    // Pushes go to deliver as soon as the subscription exists: it listens first.
    untilListening(functions.deliver).then(() => startStackWebhooks(config, started, functions.deliver.url)),
  ]);
  abort.throwIfAborted();

  const devFilePath = join(config.localDir, 'dev.json');
  const [seeded] = await Promise.all([
    prepareProject(
      { firestoreHost: firestore.emulator.host, storageUrl: storage.url },
      { projectId: config.projectId, bucket: config.bucket },
      demoTenant(previousApiKey(devFilePath)),
    ),
    untilListening(functions.files),
    untilListening(functions.sweep),
    untilListening(functions.relay),
  ]);
  abort.throwIfAborted();
  firestore.startAutosave();
  // Cloud Scheduler's jobs: the sweep at its configured interval, and the relay's catch-up every minute.
  const say = (line: string) => process.stdout.write(`scheduler | ${line}\n`);
  if (config.sweepIntervalSeconds > 0) {
    started.add(
      scheduleCalls(
        { name: 'sweep', url: functions.sweep.url, intervalMs: config.sweepIntervalSeconds * 1000, describe: describeSweep },
        say,
      ),
    );
  }
  started.add(scheduleCalls({ name: 'relay', url: functions.relay.url, intervalMs: 60_000, describe: describeRelay }, say));

  const dev: DevFile = {
    function_url: functions.files.url,
    finalize_url: functions.finalize.url,
    sweep_url: functions.sweep.url,
    storage_url: storage.url,
    bucket: config.bucket,
    project_id: config.projectId,
    firestore_host: firestore.emulator.host,
    pubsub_host: pubsubHost,
    organization_id: DEMO.organizationId,
    api_key: seeded.apiKey,
  };
  writeDevFile(devFilePath, dev);
  return { dev, devFilePath, keyOrigin: seeded.origin, imported: firestore.imported, webUrl: await startStackWeb(config, started, dev) };
}

/** Like Promise.all, but waits for every start to settle: each adds itself to `started` when it
 * succeeds, so when one fails the caller stops the others only after they are added. */
async function allStarted<T extends unknown[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as T;
}
