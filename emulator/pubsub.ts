import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cloudSdkPaths, startJavaEmulator } from './java-emulator';

const LIB_DIR = join('platform', 'pubsub-emulator', 'lib');

export class PubSubEmulatorMissing extends Error {}

/** The emulator's jar, from PUBSUB_EMULATOR_JAR or the Cloud SDK's standard install paths. */
export function findPubSubJar(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PUBSUB_EMULATOR_JAR) {
    if (existsSync(env.PUBSUB_EMULATOR_JAR)) return env.PUBSUB_EMULATOR_JAR;
    throw new PubSubEmulatorMissing(`PUBSUB_EMULATOR_JAR=${env.PUBSUB_EMULATOR_JAR} does not exist`);
  }
  const dirs = cloudSdkPaths(LIB_DIR, env);
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

/** Starts Google's Pub/Sub emulator on Java, supervised; resolves once it answers HTTP. */
export async function startPubSub(opts: { host: string; port: number; java?: string }): Promise<RunningPubSub> {
  const jar = findPubSubJar();
  const { host, emulator } = await startJavaEmulator({
    name: 'Pub/Sub emulator',
    host: opts.host,
    port: opts.port,
    java: opts.java,
    args: (port) => ['-jar', jar, `--host=${opts.host}`, `--port=${port}`],
    missing: (message) => new PubSubEmulatorMissing(message),
  });
  return { host, pid: emulator.pid, exited: emulator.exited, stop: () => emulator.stop() };
}
