import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { findFirestoreJar } from '../../emulator/firestore/launch';
import { assertPortFree } from './assert-port-free';
import { DEMO, seedDemo, type DemoKeyOrigin } from './demo-seed';
import { previousApiKey, writeDevFile, type DevFile } from './dev-file';
import { startFirestorePart } from './firestore-part';
import { startFunctions, untilListening } from './function-parts';
import type { StackConfig } from './stack-config';
import type { StackParts } from './stack-parts';
import { ensureBucket } from './storage-bucket';
import { startStoragePart } from './storage-part';
import { scheduleSweeps } from './sweep-schedule';
import { startWebPart, webAddress } from './web-part';

export interface StackUp {
  dev: DevFile;
  devFilePath: string;
  keyOrigin: DemoKeyOrigin;
  /** the Firestore export the emulator started from, if any */
  imported: string | undefined;
  /** the browser uploader's page */
  webUrl: string;
}

/** Brings the stack up part by part, adding each to `parts` as soon as it runs, so a failure
 * (or `abort`) at any step leaves the caller able to stop exactly what was started. */
export async function bringUp(config: StackConfig, parts: StackParts, abort: AbortSignal): Promise<StackUp> {
  findFirestoreJar();
  await Promise.all([
    assertPortFree('Firestore emulator', config.firestore),
    assertPortFree('storage emulator', config.storage),
    // functions-framework listens on every interface, so the port must be free on all of them.
    assertPortFree('files function', config.function, undefined),
    assertPortFree('finalize function', config.finalize, undefined),
    assertPortFree('sweep function', config.sweep, undefined),
    assertPortFree('browser uploader', webAddress()),
  ]);
  // Nothing local needs Google's metadata server; probing it costs a second and prints a warning
  // (in this process and in the functions, which inherit it).
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const functions = startFunctions(config, parts);
  const [{ emulator: firestore, imported }, storage] = await allStarted([
    startFirestorePart(config, parts),
    // The emulator sends an event as soon as an object completes, even one a client resumes from
    // before a restart, so the function that takes them is listening before the emulator is.
    untilListening(functions.finalize).then(() => startStoragePart(config, parts, functions.finalize.url)),
  ]);
  abort.throwIfAborted();

  // The Firestore client reads the emulator's address from the environment when it is made.
  process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
  const devFilePath = join(config.localDir, 'dev.json');
  const db = new Firestore({ projectId: config.projectId });
  const [seeded] = await Promise.all([
    seedDemo(db, previousApiKey(devFilePath)).finally(() => db.terminate()),
    ensureBucket(storage.url, config.projectId, config.bucket),
    untilListening(functions.files),
    untilListening(functions.sweep),
  ]);
  abort.throwIfAborted();
  if (config.sweepIntervalSeconds > 0) {
    parts.add(scheduleSweeps(functions.sweep.url, config.sweepIntervalSeconds * 1000, (line) => process.stdout.write(`scheduler | ${line}\n`)));
  }

  const dev: DevFile = {
    function_url: functions.files.url,
    finalize_url: functions.finalize.url,
    sweep_url: functions.sweep.url,
    storage_url: storage.url,
    bucket: config.bucket,
    project_id: config.projectId,
    firestore_host: firestore.host,
    organization_id: DEMO.organizationId,
    api_key: seeded.apiKey,
  };
  writeDevFile(devFilePath, dev);
  return { dev, devFilePath, keyOrigin: seeded.origin, imported, webUrl: await startWebPart(config, parts, dev) };
}

/** Like Promise.all, but waits for every start to settle: each registers itself in `parts` when it
 * succeeds, so when one fails the caller stops the others only after they are registered. */
async function allStarted<T extends unknown[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as T;
}
