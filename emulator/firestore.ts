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

/** Starts Google's Firestore emulator on Java, supervised; resolves once it answers HTTP and its REST API is warm (warmRest). */
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
  try {
    await warmRest(host);
  } catch (err) {
    await emulator.stop();
    throw err;
  }
  return {
    host,
    pid: emulator.pid,
    exited: emulator.exited,
    exportData: (exportOpts) => exportProject(host, exportOpts),
    stop: () => emulator.stop(),
  };
}

// A project of its own: the warm-up's reads and empty writes touch no test's data.
const WARM_UP_DATABASE = 'projects/emulator-warm-up/databases/(default)';
const WARM_UP_TIMEOUT_MS = 60_000;

/**
 * One call of each REST RPC the functions make (the Firestore client's
 * `preferRest`), so the emulator's Java has loaded and compiled its HTTP/JSON
 * path before anything times a call. On a fresh emulator the first REST call
 * takes 2 s on a quiet 2-core machine and 5 s at load 18 (past the functions'
 * 5 s backend deadline: the events feed answered 503), a first commit 1-2 s
 * more, where the tenth takes 30-100 ms; the gRPC path, which the tests'
 * seeding warms, shows no such start. Production Firestore has no such start
 * either: this is the emulator's, so it is paid here, once, not by the first
 * request a test or a local stack sends.
 */
async function warmRest(host: string): Promise<void> {
  const documents = `http://${host}/v1/${WARM_UP_DATABASE}/documents`;
  const call = async (path: string, body?: object) => {
    const res = await fetch(`${documents}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer owner' },
      body: body && JSON.stringify(body),
      signal: AbortSignal.timeout(WARM_UP_TIMEOUT_MS),
    });
    const text = await res.text();
    // A read of a missing document answers 404: still a call through the REST path.
    if (!res.ok && res.status !== 404) throw new Error(`Firestore emulator warm-up ${path} failed (${res.status}): ${text}`);
    return text;
  };
  const doc = `${WARM_UP_DATABASE}/documents/warm-up/doc`;
  await call('/warm-up/doc');
  const query = { structuredQuery: { from: [{ collectionId: 'warm-up' }], orderBy: [{ field: { fieldPath: 'at' } }], limit: 1 } };
  await Promise.all([
    // A write, then its delete: an empty commit leaves the write path cold.
    call(':commit', { writes: [{ update: { name: doc, fields: { at: { integerValue: '1' } } } }] }).then(() =>
      call(':commit', { writes: [{ delete: doc }] }),
    ),
    call(':batchGet', { documents: [doc] }),
    call(':runQuery', query),
    call(':runAggregationQuery', { structuredAggregationQuery: { ...query, aggregations: [{ alias: 'n', count: {} }] } }),
    call(':beginTransaction', {}).then((text) =>
      call(':rollback', { transaction: (JSON.parse(text) as { transaction: string }).transaction }),
    ),
  ]);
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
