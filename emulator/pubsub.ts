import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_NOT_FOUND, startProcess, untilHttp, untilReady } from '../scripts/processes';
import { freePort } from './free-port';

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
  /** its supervisor, leader of the group Java runs in */
  pid: number;
  /** settles with a short reason once Java has exited, whether stopped or not */
  exited: Promise<string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** Starts Google's Pub/Sub emulator straight on Java (the SDK's wrapper leaves its Java child behind
 * when killed, as Firestore's does), under the supervisor (processes.ts); resolves once it answers HTTP. */
export async function startPubSub(opts: { host: string; port: number; java?: string }): Promise<RunningPubSub> {
  const jar = findPubSubJar();
  const java = opts.java ?? process.env.JAVA ?? 'java';
  const port = opts.port || (await freePort(opts.host));
  const emulator = startProcess({
    name: 'Pub/Sub emulator',
    command: java,
    args: ['-jar', jar, `--host=${opts.host}`, `--port=${port}`],
    supervise: true,
  });
  const host = `${opts.host}:${port}`;
  try {
    await untilReady(emulator, () => untilHttp(`http://${host}/`, READY_TIMEOUT_MS));
  } catch (err) {
    await emulator.stop();
    if ((await emulator.exited) !== `exited with code ${COMMAND_NOT_FOUND}`) throw err;
    throw new PubSubEmulatorMissing(`Java not found (${java}): install Java 17 or newer (Debian: openjdk-17-jre-headless)`);
  }
  return { host, pid: emulator.pid, exited: emulator.exited, stop: () => emulator.stop() };
}
