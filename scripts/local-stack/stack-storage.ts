import { join } from 'node:path';
import type { StartedSet } from '../processes';
import { startStorage, type RunningStorage } from './emulators';
import type { StackConfig } from './stack-config';
import { localSigningKey } from './stack-web';

/** One line per request the storage emulator serves (no upload ids), kept across starts. */
export function storageRequestLog(config: StackConfig): string {
  return join(config.localDir, 'storage-requests.log');
}

/** Starts the storage emulator on `.local/storage`, posting a finalized event to `finalizeUrl` for every
 * completed object as Eventarc does, and adds it to `started`. Only its exit stops the stack: an emulator
 * that is slow, or stopped with SIGSTOP under a debugger, is still there. */
export async function startStackStorage(config: StackConfig, started: StartedSet, finalizeUrl: string): Promise<RunningStorage> {
  const emulator = await startStorage({
    host: config.storage.host,
    port: config.storage.port,
    dataDir: join(config.localDir, 'storage'),
    finalizeUrl,
    requestLog: storageRequestLog(config),
    signingCredentials: localSigningKey(config),
  });
  started.add({ name: 'storage emulator', pid: emulator.pid, exited: emulator.exited, holdsData: true, stop: () => emulator.stop() });
  return emulator;
}
