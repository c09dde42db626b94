import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { stopProcessGroup } from '../stop-process-group';
import { waitForHttp } from '../wait-for-http';

const LIB_DIR = join('platform', 'pubsub-emulator', 'lib');
const SDK_ROOTS = [
  '/usr/lib/google-cloud-sdk',
  '/usr/share/google-cloud-sdk',
  '/usr/local/google-cloud-sdk',
  '/opt/google-cloud-sdk',
  join(homedir(), 'google-cloud-sdk'),
];

export class PubSubEmulatorMissing extends Error {}

/** The emulator's jar, from PUBSUB_EMULATOR_JAR or the Cloud SDK's standard install paths. */
export function findPubSubJar(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PUBSUB_EMULATOR_JAR) {
    if (existsSync(env.PUBSUB_EMULATOR_JAR)) return env.PUBSUB_EMULATOR_JAR;
    throw new PubSubEmulatorMissing(`PUBSUB_EMULATOR_JAR=${env.PUBSUB_EMULATOR_JAR} does not exist`);
  }
  const dirs = [env.CLOUDSDK_ROOT_DIR, ...SDK_ROOTS].filter((r): r is string => !!r).map((r) => join(r, LIB_DIR));
  for (const dir of dirs.filter((d) => existsSync(d))) {
    const jar = readdirSync(dir).find((f) => /^cloud-pubsub-emulator-.*\.jar$/.test(f));
    if (jar) return join(dir, jar);
  }
  throw new PubSubEmulatorMissing(
    `Pub/Sub emulator not found (looked in ${dirs.join(', ')}): install it with \`gcloud components install pubsub-emulator\` ` +
      '(or Debian package google-cloud-cli-pubsub-emulator), or set PUBSUB_EMULATOR_JAR',
  );
}

export interface RunningPubSub {
  /** host:port, as PUBSUB_EMULATOR_HOST wants it */
  host: string;
  pid: number;
  stop(): Promise<void>;
}

export interface PubSubEmulatorOptions {
  host: string;
  port: number;
  java?: string;
  /** starts Java in place of a plain detached spawn (a supervisor); the process leads its own group. */
  spawn?: (command: string, args: string[]) => ChildProcess;
}

/**
 * Google's Pub/Sub emulator, started straight on Java: the SDK's wrapper script
 * leaves its Java child behind when killed (as Firestore's does). Java leads a
 * process group of its own, which stop() ends whole.
 */
export async function startPubSubEmulator(opts: PubSubEmulatorOptions): Promise<RunningPubSub> {
  const jar = findPubSubJar();
  const java = opts.java ?? process.env.JAVA ?? 'java';
  const start =
    opts.spawn ?? ((command: string, args: string[]) => spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
  const child = start(java, ['-jar', jar, `--host=${opts.host}`, `--port=${opts.port}`]);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new PubSubEmulatorMissing(`could not start Java (${java}): ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`Pub/Sub emulator exited (${code}) before it was ready:\n${output}`)));
  });
  const host = `${opts.host}:${opts.port}`;
  try {
    await Promise.race([waitForHttp(`http://${host}/`, 60_000), failed]);
  } catch (err) {
    await stopProcessGroup(child);
    throw err;
  }
  failed.catch(() => undefined);
  child.stdout?.removeListener('data', keep);
  child.stderr?.removeListener('data', keep);
  child.stdout?.resume();
  child.stderr?.resume();
  return { host, pid: child.pid as number, stop: () => stopProcessGroup(child) };
}
