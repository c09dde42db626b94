import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { FirestoreEmulatorMissing, startFirestore, type RunningFirestore } from '../../emulator/firestore';
import type { Started, StartedSet } from '../processes';
import { startAutosave, type Autosave } from './firestore-autosave';
import { saveSnapshot, snapshotToImport, type Snapshot } from './firestore-snapshot';
import type { StackConfig } from './stack-config';

export interface StackFirestore {
  emulator: RunningFirestore;
  /** the snapshot the emulator started from, if any */
  imported: Snapshot | undefined;
  /** From now on, a snapshot follows every change within a few seconds (call once the stack is seeded). */
  startAutosave(): void;
}

/** Starts the Firestore emulator from the last snapshot, and adds it to `started` so that stopping saves a new one. */
export async function startStackFirestore(config: StackConfig, started: StartedSet): Promise<StackFirestore> {
  const dir = join(config.localDir, 'firestore');
  mkdirSync(dir, { recursive: true });
  const imported = snapshotToImport(dir);
  let emulator: RunningFirestore;
  try {
    emulator = await startFirestore({ ...config.firestore, importData: imported?.importPath });
  } catch (err) {
    if (!imported || err instanceof FirestoreEmulatorMissing) throw err;
    throw new Error(`${(err as Error).message}\n(it was loading ${imported.importPath}; move ${dir} aside to start empty)`);
  }
  let running = true;
  const exited = emulator.exited.then((reason) => {
    running = false;
    return reason;
  });
  const say = (err: Error) => process.stderr.write(`npm start: could not save the Firestore data: ${err.message}\n`);
  let autosave: { db: Firestore; watch: Autosave } | undefined;
  const firestore: Started = {
    name: 'Firestore emulator',
    pid: emulator.pid,
    exited,
    holdsData: true,
    stop: async () => {
      if (autosave) {
        await autosave.watch.stop();
        await autosave.db.terminate().catch(() => undefined);
      }
      if (running) await saveSnapshot(emulator, config.projectId, dir, 'stop').catch(say);
      await emulator.stop();
    },
  };
  started.add(firestore);
  return {
    emulator,
    imported,
    startAutosave: () => {
      // FIRESTORE_EMULATOR_HOST points the client at the emulator (start-stack.ts sets it before seeding).
      const db = new Firestore({ projectId: config.projectId });
      autosave = {
        db,
        watch: startAutosave(db, () => (running ? saveSnapshot(emulator, config.projectId, dir, 'background') : Promise.resolve()), say),
      };
    },
  };
}
