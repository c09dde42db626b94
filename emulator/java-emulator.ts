import { homedir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_NOT_FOUND, startProcess, untilHttp, untilReady, type StartedProcess } from '../scripts/processes';
import { freePort } from './free-port';

const SDK_ROOTS = [
  '/usr/lib/google-cloud-sdk',
  '/usr/share/google-cloud-sdk',
  '/usr/local/google-cloud-sdk',
  '/opt/google-cloud-sdk',
  join(homedir(), 'google-cloud-sdk'),
];

/** Where `relative` would be in each Cloud SDK install: CLOUDSDK_ROOT_DIR's first, then the standard paths. */
export function cloudSdkPaths(relative: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.CLOUDSDK_ROOT_DIR, ...SDK_ROOTS].filter((r): r is string => !!r).map((r) => join(r, relative));
}

const READY_TIMEOUT_MS = 60_000;

export interface JavaEmulatorSpec {
  name: string;
  host: string;
  /** 0 for a free one */
  port: number;
  java?: string;
  /** Java's arguments, given the port chosen */
  args: (port: number) => string[];
  /** the error to throw when there is no Java to start */
  missing: (message: string) => Error;
}

/** Starts one of Google's emulators straight on Java (the SDK's shell wrappers leave their Java child
 * behind when killed), under the supervisor (processes.ts); resolves once it answers HTTP. */
export async function startJavaEmulator(spec: JavaEmulatorSpec): Promise<{ host: string; emulator: StartedProcess }> {
  const java = spec.java ?? process.env.JAVA ?? 'java';
  const port = spec.port || (await freePort(spec.host));
  const emulator = startProcess({ name: spec.name, command: java, args: spec.args(port), supervise: true });
  const host = `${spec.host}:${port}`;
  try {
    await untilReady(emulator, () => untilHttp(`http://${host}/`, READY_TIMEOUT_MS));
  } catch (err) {
    await emulator.stop();
    // supervise.js says a missing command as a shell does.
    if ((await emulator.exited) !== `exited with code ${COMMAND_NOT_FOUND}`) throw err;
    throw spec.missing(`Java not found (${java}): install Java 17 or newer (Debian: openjdk-17-jre-headless)`);
  }
  return { host, emulator };
}
