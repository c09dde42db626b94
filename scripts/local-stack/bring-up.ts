import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { findFirestoreJar } from '../../emulator/firestore/launch';
import { waitForHttp } from '../../emulator/wait-for-http';
import { assertPortFree } from './assert-port-free';
import { DEMO, seedDemo, type DemoKeyOrigin } from './demo-seed';
import { previousApiKey, writeDevFile, type DevFile } from './dev-file';
import { startFirestorePart } from './firestore-part';
import { startFunctionServer } from './function-server';
import type { ManagedProcess } from './managed-process';
import type { StackConfig } from './stack-config';
import type { StackParts } from './stack-parts';
import { ensureBucket } from './storage-bucket';
import { startStoragePart } from './storage-part';

const FUNCTION_READY_TIMEOUT_MS = 30_000;

export interface StackUp {
  dev: DevFile;
  devFilePath: string;
  keyOrigin: DemoKeyOrigin;
  /** the Firestore export the emulator started from, if any */
  imported: string | undefined;
}

/** Brings the stack up part by part, adding each to `parts` as soon as it runs, so a failure
 * (or `abort`) at any step leaves the caller able to stop exactly what was started. */
export async function bringUp(config: StackConfig, parts: StackParts, abort: AbortSignal): Promise<StackUp> {
  findFirestoreJar();
  await Promise.all([
    assertPortFree('Firestore emulator', config.firestore),
    assertPortFree('storage emulator', config.storage),
    // functions-framework listens on every interface, so the port must be free on all of them.
    assertPortFree('function', config.function, undefined),
  ]);
  const [{ emulator: firestore, imported }, storage] = await allStarted([
    startFirestorePart(config, parts),
    startStoragePart(config, parts),
  ]);
  abort.throwIfAborted();

  // The Firestore client reads the emulator's address from the environment when it is made.
  process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
  // Nothing local needs Google's metadata server; probing it costs a second and prints a warning.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const functionUrl = `http://${config.function.host}:${config.function.port}`;
  const fn = startFunctionServer({
    source: join(config.repoRoot, 'dist', 'functions', 'index.js'),
    port: config.function.port,
    env: {
      ...process.env,
      FIRESTORE_EMULATOR_HOST: firestore.host,
      STORAGE_EMULATOR_HOST: storage.url,
      GOOGLE_CLOUD_PROJECT: config.projectId,
      FILES_BUCKET: config.bucket,
      NODE_ENV: 'development',
    },
  });
  parts.add(fn);

  const devFilePath = join(config.localDir, 'dev.json');
  const db = new Firestore({ projectId: config.projectId });
  const [seeded] = await Promise.all([
    seedDemo(db, previousApiKey(devFilePath)).finally(() => db.terminate()),
    ensureBucket(storage.url, config.projectId, config.bucket),
    untilAnswering(functionUrl, fn),
  ]);
  abort.throwIfAborted();

  const dev: DevFile = {
    function_url: functionUrl,
    storage_url: storage.url,
    bucket: config.bucket,
    project_id: config.projectId,
    firestore_host: firestore.host,
    organization_id: DEMO.organizationId,
    api_key: seeded.apiKey,
  };
  writeDevFile(devFilePath, dev);
  return { dev, devFilePath, keyOrigin: seeded.origin, imported };
}

/** Like Promise.all, but waits for every start to settle: each registers itself in `parts` when it
 * succeeds, so when one fails the caller stops the others only after they are registered. */
async function allStarted<T extends unknown[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as T;
}

/** Ready when the port answers any HTTP status; a function that exits first fails the start with its reason. */
async function untilAnswering(url: string, fn: ManagedProcess): Promise<void> {
  const died = fn.exited.then((reason) => {
    throw new Error(`the function ${reason} before it served (its output is above)`);
  });
  await Promise.race([waitForHttp(`${url}/`, FUNCTION_READY_TIMEOUT_MS), died]);
  died.catch(() => undefined);
}
