import { createInterface } from 'node:readline';
import { storageEmulatorScript } from '@files-api/gcs-emulator';
import { startFirestore, type RunningFirestore } from '../../emulator/firestore';
import { startProcess, untilReady, type StartedProcess } from '../processes';

/**
 * The emulators as `npm start`, the Jest global setup and the benchmarks run them: each started by
 * processes.ts under its supervisor, so none outlives the process that started it, however that ends.
 * Adding an emulator is a `start…` function here (or in emulator/ for one we do not own, as Firestore)
 * and a line in `startEmulators`.
 */

const READY_TIMEOUT_MS = 30_000;

export interface StorageOptions {
  host: string;
  /** 0 lets the OS choose */
  port: number;
  dataDir: string;
  /** where to POST a CloudEvent for each finalized object */
  finalizeUrl?: string;
  /** a file to append one line per request to */
  requestLog?: string;
  /** a service-account key file whose public key verifies V4-signed URLs */
  signingCredentials?: string;
}

export interface RunningStorage {
  /** e.g. http://127.0.0.1:41234 (what STORAGE_EMULATOR_HOST wants) */
  url: string;
  /** its supervisor, leader of the group the emulator runs in */
  pid: number;
  /** settles with a short reason once the emulator has exited */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** The project's storage emulator, through its own command line; resolves once its one JSON "listening"
 * line is out. Its stderr passes through. */
export async function startStorage(opts: StorageOptions): Promise<RunningStorage> {
  const args = [await storageEmulatorScript(), '--host', opts.host, '--port', String(opts.port), '--data', opts.dataDir];
  if (opts.finalizeUrl) args.push('--on-finalize', opts.finalizeUrl);
  if (opts.requestLog) args.push('--request-log', opts.requestLog);
  if (opts.signingCredentials) args.push('--signing-credentials', opts.signingCredentials);
  const emulator = startProcess({ name: 'storage emulator', command: process.execPath, args, supervise: true });
  emulator.stderr.on('data', (piece: Buffer) => process.stderr.write(piece));
  try {
    const url = await untilReady(emulator, () => listeningUrl(emulator));
    return { url, pid: emulator.pid, exited: emulator.exited, stop: () => emulator.stop() };
  } catch (err) {
    await emulator.stop();
    throw err;
  }
}

/** The URL in the emulator's first stdout line, `{"event":"listening","url":…}`. */
function listeningUrl(emulator: StartedProcess): Promise<string> {
  const stdout = emulator.stdout as NodeJS.ReadableStream;
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(() => {
      lines.close();
      reject(new Error(`the storage emulator did not start within ${READY_TIMEOUT_MS} ms:\n${emulator.outputTail()}`));
    }, READY_TIMEOUT_MS);
    // If it exits first, untilReady says so; this must not keep the process alive meanwhile.
    timer.unref();
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      // Closing pauses it; nothing else is expected on stdout, but the pipe must stay drained.
      stdout.resume();
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'listening' && typeof event.url === 'string') return resolve(event.url);
      } catch {
        // Said below.
      }
      reject(new Error(`unexpected first line from the storage emulator: ${line}`));
    });
  });
}

export interface Emulators {
  firestore: RunningFirestore;
  storage: RunningStorage;
  /** what the functions and Google's clients need to find them */
  env: { FIRESTORE_EMULATOR_HOST: string; STORAGE_EMULATOR_HOST: string };
  stop(): Promise<void>;
}

/** Both emulators at once, on loopback; free ports unless given. */
export async function startEmulators(opts: {
  storageDataDir: string;
  firestorePort?: number;
  storage?: Partial<StorageOptions>;
}): Promise<Emulators> {
  const [firestore, storage] = await Promise.allSettled([
    startFirestore({ host: '127.0.0.1', port: opts.firestorePort ?? 0 }),
    startStorage({ host: '127.0.0.1', port: 0, ...opts.storage, dataDir: opts.storageDataDir }),
  ]);
  if (firestore.status === 'rejected' || storage.status === 'rejected') {
    await Promise.all([firestore, storage].map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw firestore.status === 'rejected' ? firestore.reason : (storage as PromiseRejectedResult).reason;
  }
  return {
    firestore: firestore.value,
    storage: storage.value,
    env: { FIRESTORE_EMULATOR_HOST: firestore.value.host, STORAGE_EMULATOR_HOST: storage.value.url },
    stop: async () => {
      await Promise.all([firestore.value.stop(), storage.value.stop()]);
    },
  };
}
