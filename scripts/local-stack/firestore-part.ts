import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FirestoreEmulatorMissing, startFirestoreEmulator, type RunningEmulator } from '../../emulator/firestore/launch';
import { saveSnapshot, snapshotToImport } from './firestore-snapshot';
import type { StackConfig } from './stack-config';
import type { StackParts } from './stack-parts';

/** Starts the Firestore emulator from the last saved snapshot, and registers it so that stopping saves a new one. */
export async function startFirestorePart(
  config: StackConfig,
  parts: StackParts,
): Promise<{ emulator: RunningEmulator; imported: string | undefined }> {
  const dir = join(config.localDir, 'firestore');
  mkdirSync(dir, { recursive: true });
  const imported = snapshotToImport(dir);
  let emulator: RunningEmulator;
  try {
    emulator = await startFirestoreEmulator({ ...config.firestore, importData: imported });
  } catch (err) {
    if (!imported || err instanceof FirestoreEmulatorMissing) throw err;
    throw new Error(`${(err as Error).message}\n(it was loading ${imported}; move ${dir} aside to start empty)`);
  }
  let running = true;
  parts.add({
    name: 'Firestore emulator',
    pid: emulator.pid,
    exited: emulator.exited.then(({ code, signal }) => {
      running = false;
      return signal ? `was killed by ${signal}` : `exited with code ${code}`;
    }),
    holdsData: true,
    stop: async () => {
      if (running) {
        await saveSnapshot(emulator, config.projectId, dir).catch((err: Error) =>
          process.stderr.write(`npm start: could not save the Firestore data: ${err.message}\n`),
        );
      }
      await emulator.stop();
    },
  });
  return { emulator, imported };
}
