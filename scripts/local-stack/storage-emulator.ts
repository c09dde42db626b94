import { createInterface } from 'node:readline';
import { storageEmulatorScript } from '@files-api/gcs-emulator';
import { stopGroup } from './process-group';
import { spawnSupervised } from './supervised-child';

const START_TIMEOUT_MS = 30_000;

export interface SupervisedStorageOptions {
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

export interface SupervisedStorageEmulator {
  /** e.g. http://127.0.0.1:41234 (what STORAGE_EMULATOR_HOST wants) */
  url: string;
  /** its supervisor, leader of the group the emulator runs in */
  pid: number;
  /** settles with a short reason once the emulator has exited */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** The project's storage emulator under a supervisor (see supervise.ts), through its own command line;
 * resolves once its one JSON "listening" line is out. Its stderr passes through. */
export async function startSupervisedStorageEmulator(opts: SupervisedStorageOptions): Promise<SupervisedStorageEmulator> {
  const args = [await storageEmulatorScript(), '--host', opts.host, '--port', String(opts.port), '--data', opts.dataDir];
  if (opts.finalizeUrl) args.push('--on-finalize', opts.finalizeUrl);
  if (opts.requestLog) args.push('--request-log', opts.requestLog);
  if (opts.signingCredentials) args.push('--signing-credentials', opts.signingCredentials);
  const child = spawnSupervised(process.execPath, args);
  const pid = child.pid as number;
  let stderrTail = '';
  child.stderr.on('data', (piece: Buffer) => {
    process.stderr.write(piece);
    stderrTail = (stderrTail + piece.toString()).slice(-4000);
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`)),
  );
  try {
    const url = await listeningUrl(child.stdout, exited, () => stderrTail);
    return { url, pid, exited, stop: () => stopGroup(pid) };
  } catch (err) {
    await stopGroup(pid);
    throw err;
  }
}

function listeningUrl(stdout: NodeJS.ReadableStream, exited: Promise<string>, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(
      () => fail(new Error(`the storage emulator did not start within ${START_TIMEOUT_MS} ms:\n${stderr()}`)),
      START_TIMEOUT_MS,
    );
    let settled = false;
    function fail(err: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      lines.close();
      reject(err);
    }
    void exited.then((reason) => fail(new Error(`the storage emulator ${reason} before listening:\n${stderr()}`)));
    lines.once('line', (line) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      lines.close();
      // Nothing else is expected on stdout; keep the pipe drained anyway.
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
