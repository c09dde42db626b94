import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { FirestoreEmulatorMissing, findFirestoreJar, startFirestoreEmulator } from '../../emulator/firestore/launch';
import { startStorageEmulator } from '../../emulator/storage/launch';
import { waitForHttp } from '../../emulator/wait-for-http';
import { assertPortFree } from './assert-port-free';
import { DEMO, seedDemo, type DemoKeyOrigin } from './demo-seed';
import { previousApiKey, writeDevFile, type DevFile } from './dev-file';
import { saveSnapshot, snapshotToImport } from './firestore-snapshot';
import { startFunctionServer } from './function-server';
import { untilUnanswered } from './http-liveness';
import type { ManagedProcess } from './managed-process';
import type { StackConfig } from './stack-config';
import type { StackParts } from './stack-parts';
import { ensureBucket } from './storage-bucket';

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
  const firestoreDir = join(config.localDir, 'firestore');
  mkdirSync(firestoreDir, { recursive: true });
  const imported = snapshotToImport(firestoreDir);

  const [firestore, storage] = await allStarted([
    startFirestoreEmulator({ ...config.firestore, importData: imported })
      .catch((err: Error) => {
        if (!imported || err instanceof FirestoreEmulatorMissing) throw err;
        throw new Error(`${err.message}\n(it was loading ${imported}; move ${firestoreDir} aside to start empty)`);
      })
      .then((emulator) => {
        let running = true;
        parts.add({
          name: 'Firestore emulator',
          pid: emulator.pid,
          exited: emulator.exited.then(({ code, signal }) => {
            running = false;
            return signal ? `was killed by ${signal}` : `exited with code ${code}`;
          }),
          stop: async () => {
            if (running) {
              await saveSnapshot(emulator, config.projectId, firestoreDir).catch((err: Error) =>
                process.stderr.write(`npm start: could not save the Firestore data: ${err.message}\n`),
              );
            }
            await emulator.stop();
          },
        });
        return emulator;
      }),
    startStorageEmulator({ host: config.storage.host, port: config.storage.port, dataDir: join(config.localDir, 'storage') }).then(
      (emulator) => {
        const liveness = untilUnanswered(emulator.url);
        parts.add({
          name: 'storage emulator',
          pid: undefined,
          exited: liveness.down,
          stop: () => {
            liveness.cancel();
            return emulator.stop();
          },
        });
        return emulator;
      },
    ),
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

/** Like Promise.all, but waits for every start to settle, so none is left running unregistered when another fails. */
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
