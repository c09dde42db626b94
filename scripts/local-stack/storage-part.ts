import { join } from 'node:path';
import { startStorageEmulator, type RunningStorageEmulator } from '../../emulator/storage/launch';
import { untilUnanswered } from './http-liveness';
import type { StackConfig } from './stack-config';
import type { StackParts } from './stack-parts';

/** Starts the storage emulator on `.local/storage`, posting a finalized event to `finalizeUrl` for every
 * completed object as Eventarc does, and registers it, watched over HTTP (its launcher keeps the process to itself). */
export async function startStoragePart(config: StackConfig, parts: StackParts, finalizeUrl: string): Promise<RunningStorageEmulator> {
  const emulator = await startStorageEmulator({
    host: config.storage.host,
    port: config.storage.port,
    dataDir: join(config.localDir, 'storage'),
    finalizeUrl,
  });
  const liveness = untilUnanswered(emulator.url);
  parts.add({
    name: 'storage emulator',
    pid: undefined,
    exited: liveness.down,
    holdsData: true,
    stop: () => {
      liveness.cancel();
      return emulator.stop();
    },
  });
  return emulator;
}
