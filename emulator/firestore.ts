import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cloudSdkPaths, startJavaEmulator } from './java-emulator';

const JAR_DIR = join('platform', 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar');

export class FirestoreEmulatorMissing extends Error {}

/** The jar, from FIRESTORE_EMULATOR_JAR or the Cloud SDK's standard install paths. */
export function findFirestoreJar(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = env.FIRESTORE_EMULATOR_JAR ? [env.FIRESTORE_EMULATOR_JAR] : cloudSdkPaths(JAR_DIR, env);
  const jar = candidates.find((c) => existsSync(c));
  if (!jar) {
    throw new FirestoreEmulatorMissing(
      `Firestore emulator not found (looked at ${candidates.join(', ')}): install it with ` +
        '`gcloud components install cloud-firestore-emulator` (or Debian package google-cloud-cli-firestore-emulator), ' +
        'or set FIRESTORE_EMULATOR_JAR to cloud-firestore-emulator.jar',
    );
  }
  return jar;
}

export interface ExportOptions {
  projectId: string;
  /** an existing directory; the export goes into `directory/name` */
  directory: string;
  name: string;
  timeoutMs?: number;
}

export interface RunningFirestore {
  /** host:port, as FIRESTORE_EMULATOR_HOST wants it */
  host: string;
  /** its supervisor, leader of the group Java runs in (signal `-pid` to reach Java) */
  pid: number;
  /** settles with a short reason once Java has exited, whether stopped or not */
  exited: Promise<string>;
  /** Writes one project's documents as an export (`directory/name/name.overall_export_metadata`),
   * the form `importData` reads back. The jar's own --export-on-exit fails on exit
   * ("Database name ... has invalid trailing /"), hence this explicit call. */
  exportData(opts: ExportOptions): Promise<void>;
  stop(): Promise<void>;
}

export interface FirestoreOptions {
  host: string;
  /** 0 for a free one */
  port: number;
  java?: string;
  /** an `.overall_export_metadata` file from `exportData`, loaded before the emulator serves */
  importData?: string;
}

/** Starts Google's Firestore emulator on Java, supervised; resolves once it answers HTTP. */
export async function startFirestore(opts: FirestoreOptions): Promise<RunningFirestore> {
  const jar = findFirestoreJar();
  const { host, emulator } = await startJavaEmulator({
    name: 'Firestore emulator',
    host: opts.host,
    port: opts.port,
    java: opts.java,
    args: (port) => [
      '-Duser.language=en',
      '-cp',
      jar,
      'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
      'start',
      `--host=${opts.host}`,
      `--port=${port}`,
      ...(opts.importData ? [`--import-data=${opts.importData}`] : []),
    ],
    missing: (message) => new FirestoreEmulatorMissing(message),
  });
  return {
    host,
    pid: emulator.pid,
    exited: emulator.exited,
    exportData: (exportOpts) => exportProject(host, exportOpts),
    stop: () => emulator.stop(),
  };
}

async function exportProject(host: string, opts: ExportOptions): Promise<void> {
  const res = await fetch(`http://${host}/emulator/v1/projects/${encodeURIComponent(opts.projectId)}:export`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      database: `projects/${opts.projectId}/databases/(default)`,
      export_directory: opts.directory,
      export_name: opts.name,
    }),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  if (!res.ok) throw new Error(`Firestore emulator export failed (${res.status}): ${await res.text()}`);
}
