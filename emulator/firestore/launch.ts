import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { waitForHttp } from '../wait-for-http';
import { stopProcessGroup } from '../stop-process-group';

const JAR_DIR = join('platform', 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar');
const SDK_ROOTS = [
  '/usr/lib/google-cloud-sdk',
  '/usr/share/google-cloud-sdk',
  '/usr/local/google-cloud-sdk',
  '/opt/google-cloud-sdk',
  join(homedir(), 'google-cloud-sdk'),
];

export class FirestoreEmulatorMissing extends Error {}

/** The jar, from FIRESTORE_EMULATOR_JAR or the Cloud SDK's standard install paths. */
export function findFirestoreJar(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = env.FIRESTORE_EMULATOR_JAR
    ? [env.FIRESTORE_EMULATOR_JAR]
    : [env.CLOUDSDK_ROOT_DIR, ...SDK_ROOTS].filter((r): r is string => !!r).map((r) => join(r, JAR_DIR));
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

export interface RunningEmulator {
  /** host:port, as FIRESTORE_EMULATOR_HOST wants it */
  host: string;
  /** the Java process, leader of its own process group */
  pid: number;
  /** settles when Java exits, whether stopped or not */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Writes one project's documents as an export (`directory/name/name.overall_export_metadata`),
   * the form `importData` reads back. The jar's own --export-on-exit fails on exit
   * ("Database name ... has invalid trailing /"), hence this explicit call. */
  exportData(opts: ExportOptions): Promise<void>;
  stop(): Promise<void>;
}

export interface FirestoreEmulatorOptions {
  host: string;
  port: number;
  java?: string;
  /** an `.overall_export_metadata` file from `exportData`, loaded before the emulator serves */
  importData?: string;
  /** starts Java in place of a plain detached spawn (e.g. under a supervisor that stops it when its
   * parent dies); the process it returns leads its own group and pipes stdout and stderr. It exits
   * 127 for a command that is not there, as a shell does. */
  spawn?: (command: string, args: string[]) => ChildProcess;
}

/** A shell's exit code for a command that is not there. */
const COMMAND_NOT_FOUND = 127;

/** Starts Google's Firestore emulator straight on Java (the SDK's shell wrapper
 * leaves its Java child behind when killed), in a process group of its own. */
export async function startFirestoreEmulator(opts: FirestoreEmulatorOptions): Promise<RunningEmulator> {
  const jar = findFirestoreJar();
  const java = opts.java ?? process.env.JAVA ?? 'java';
  const start =
    opts.spawn ?? ((command: string, args: string[]) => spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
  const child = start(java, [
    '-Duser.language=en',
    '-cp',
    jar,
    'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
    'start',
    `--host=${opts.host}`,
    `--port=${opts.port}`,
    ...(opts.importData ? [`--import-data=${opts.importData}`] : []),
  ]);
  if (!child.stdout || !child.stderr) throw new Error('the Firestore emulator must be started with its stdout and stderr piped');
  const { stdout, stderr } = child;
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  stdout.on('data', keep);
  stderr.on('data', keep);
  const javaMissing = () =>
    new FirestoreEmulatorMissing(`Java not found (${java}): install Java 17 or newer (Debian: openjdk-17-jre-headless)`);
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? javaMissing() : new FirestoreEmulatorMissing(err.message)),
    );
    child.once('exit', (code) =>
      reject(
        opts.spawn && code === COMMAND_NOT_FOUND
          ? javaMissing()
          : new Error(`Firestore emulator exited (${code}) before it was ready:\n${output}`),
      ),
    );
  });
  const host = `${opts.host}:${opts.port}`;
  try {
    await Promise.race([waitForHttp(`http://${host}/`, 60_000), spawnFailed]);
  } catch (err) {
    await stopProcessGroup(child);
    throw err;
  }
  spawnFailed.catch(() => undefined);
  stdout.removeListener('data', keep);
  stderr.removeListener('data', keep);
  stdout.resume();
  stderr.resume();
  return {
    host,
    pid: child.pid as number,
    exited,
    exportData: (exportOpts) => exportProject(host, exportOpts),
    stop: () => stopProcessGroup(child),
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
