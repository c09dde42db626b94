import { join } from 'node:path';
import { startSupervisedStorageEmulator, type SupervisedStorageEmulator } from './bootstrap';
import type { StackConfig } from './stack-config';
import { localSigningKey } from './web-part';

/** One line per request the storage emulator serves (no upload ids), kept across starts. */
export function storageRequestLog(config: StackConfig): string {
  return join(config.localDir, 'storage-requests.log');
}
import type { StackParts } from './stack-parts';

/** Starts the storage emulator on `.local/storage`, posting a finalized event to `finalizeUrl` for every
 * completed object as Eventarc does, and registers it. Only its exit stops the stack: an emulator that is
 * slow, or stopped with SIGSTOP under a debugger, is still there. */
export async function startStoragePart(config: StackConfig, parts: StackParts, finalizeUrl: string): Promise<SupervisedStorageEmulator> {
  const emulator = await startSupervisedStorageEmulator({
    host: config.storage.host,
    port: config.storage.port,
    dataDir: join(config.localDir, 'storage'),
    finalizeUrl,
    requestLog: storageRequestLog(config),
    signingCredentials: localSigningKey(config),
  });
  parts.add({
    name: 'storage emulator',
    pid: emulator.pid,
    exited: emulator.exited,
    holdsData: true,
    stop: () => emulator.stop(),
  });
  return emulator;
}
