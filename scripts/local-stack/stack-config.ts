import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StartupError } from './startup-error';

export interface ServiceAddress {
  host: string;
  port: number;
  /** the environment variable that overrides the port, for messages */
  portEnv: string;
}

export interface StackConfig {
  repoRoot: string;
  firestore: ServiceAddress;
  storage: ServiceAddress;
  function: ServiceAddress;
  /** the `finalize` function, where the storage emulator delivers its events */
  finalize: ServiceAddress;
  /** the `sweep` function, which the stack POSTs to as Cloud Scheduler would */
  sweep: ServiceAddress;
  /** the Pub/Sub emulator, and the `deliver` (its push endpoint) and `relay` (the catch-up) functions: webhooks */
  pubsub: ServiceAddress;
  deliver: ServiceAddress;
  relay: ServiceAddress;
  /** seconds between sweeps; 0 runs none */
  sweepIntervalSeconds: number;
  projectId: string;
  bucket: string;
  /** `.local`: dev.json, Firestore snapshots, stored objects */
  localDir: string;
}

type EmulatorsSection = Record<
  'firestore' | 'storage' | 'functions' | 'finalize' | 'sweep' | 'pubsub' | 'deliver' | 'relay',
  { host?: string; port?: number } | undefined
>;

const DEFAULT_SWEEP_INTERVAL_SECONDS = 60;
const MAX_SWEEP_INTERVAL_SECONDS = 86_400;

/** The repository root: the nearest directory above this file that has firebase.json. */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'firebase.json'))) return dir;
    if (dirname(dir) === dir) throw new StartupError(`firebase.json not found above ${from}`);
  }
}

function address(section: EmulatorsSection, name: keyof EmulatorsSection, portEnv: string, env: NodeJS.ProcessEnv): ServiceAddress {
  const entry = section[name];
  if (!entry?.port) throw new StartupError(`firebase.json has no emulators.${name}.port`);
  const override = env[portEnv];
  let port = entry.port;
  if (override !== undefined && override !== '') {
    port = Number(override);
    if (!/^\d+$/.test(override) || port < 1 || port > 65535) {
      throw new StartupError(`${portEnv}=${JSON.stringify(override)}: must be a port number from 1 to 65535`);
    }
  }
  return { host: entry.host ?? '127.0.0.1', port, portEnv };
}

/** How often the stack POSTs to the sweep function, as Cloud Scheduler would; 0 for never. */
function sweepInterval(env: NodeJS.ProcessEnv): number {
  const raw = env.SWEEP_INTERVAL_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_SWEEP_INTERVAL_SECONDS;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds > MAX_SWEEP_INTERVAL_SECONDS) {
    throw new StartupError(
      `SWEEP_INTERVAL_SECONDS=${JSON.stringify(raw)}: must be a whole number of seconds from 0 (no sweeps) to ${MAX_SWEEP_INTERVAL_SECONDS}`,
    );
  }
  return seconds;
}

/** Ports come from firebase.json's `emulators` section, each overridable by its own env var;
 * SWEEP_INTERVAL_SECONDS sets how often the stack runs the sweeper. */
export function loadStackConfig(env: NodeJS.ProcessEnv, from: string = __dirname): StackConfig {
  const repoRoot = findRepoRoot(from);
  const emulators = (JSON.parse(readFileSync(join(repoRoot, 'firebase.json'), 'utf8')) as { emulators?: EmulatorsSection }).emulators;
  if (!emulators) throw new StartupError('firebase.json has no emulators section');
  const firestore = address(emulators, 'firestore', 'FIRESTORE_PORT', env);
  const storage = address(emulators, 'storage', 'STORAGE_PORT', env);
  const fn = address(emulators, 'functions', 'FUNCTION_PORT', env);
  const finalize = address(emulators, 'finalize', 'FINALIZE_PORT', env);
  const sweep = address(emulators, 'sweep', 'SWEEP_PORT', env);
  const pubsub = address(emulators, 'pubsub', 'PUBSUB_PORT', env);
  const deliver = address(emulators, 'deliver', 'DELIVER_PORT', env);
  const relay = address(emulators, 'relay', 'RELAY_PORT', env);
  const all = [firestore, storage, fn, finalize, sweep, pubsub, deliver, relay];
  const clash = all.find((a, i) => all.findIndex((b) => b.port === a.port) !== i);
  if (clash) {
    const names = all.filter((a) => a.port === clash.port).map((a) => a.portEnv);
    throw new StartupError(`${names.join(' and ')} are both ${clash.port}: each part needs a port of its own`);
  }
  return {
    repoRoot,
    firestore,
    storage,
    function: fn,
    finalize,
    sweep,
    pubsub,
    deliver,
    relay,
    sweepIntervalSeconds: sweepInterval(env),
    projectId: env.GOOGLE_CLOUD_PROJECT || 'demo-files-api',
    bucket: env.FILES_BUCKET || 'demo-files-api-uploads',
    localDir: resolve(env.LOCAL_DIR || join(repoRoot, '.local')),
  };
}
