import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface RunningStorageEmulator {
  /** e.g. http://127.0.0.1:41234 (what STORAGE_EMULATOR_HOST wants) */
  url: string;
  port: number;
  /** The emulator process (for measurements such as its peak memory). */
  pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
  /** SIGKILL at once; synchronous, for process-exit hooks and crash tests. */
  kill(): void;
}

export interface StorageEmulatorOptions {
  host?: string;
  /** 0 (default) lets the OS choose */
  port?: number;
  dataDir: string;
  sessionTtlSeconds?: number;
  /** Browser origins allowed on the JSON API and downloads (sessions carry their own). */
  corsOrigins?: string[];
  /** Where to POST a CloudEvent for each finalized object. */
  finalizeUrl?: string;
  /** A file to append one line per request to (`-`: stderr). */
  requestLog?: string;
  /** A service-account JSON key file whose public key verifies V4-signed URLs. */
  signingCredentials?: string;
  /** extra environment for the child */
  env?: NodeJS.ProcessEnv;
  /** Node options for the child, before its script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** Where its stderr (warnings, e.g. a finalize hook that failed) goes; this process's stderr by default. */
  onStderr?: (text: string) => void;
}

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts the emulator as a child process and resolves once it listens. */
export async function startStorageEmulator(opts: StorageEmulatorOptions): Promise<RunningStorageEmulator> {
  const args = [
    ...(opts.nodeArgs ?? []),
    await storageEmulatorScript(),
    '--port',
    String(opts.port ?? 0),
    '--data',
    opts.dataDir,
    '--host',
    opts.host ?? '127.0.0.1',
  ];
  if (opts.sessionTtlSeconds !== undefined) args.push('--session-ttl', String(opts.sessionTtlSeconds));
  for (const origin of opts.corsOrigins ?? []) args.push('--cors-origin', origin);
  if (opts.finalizeUrl) args.push('--on-finalize', opts.finalizeUrl);
  if (opts.requestLog) args.push('--request-log', opts.requestLog);
  if (opts.signingCredentials) args.push('--signing-credentials', opts.signingCredentials);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  track(child);
  let stderrTail = '';
  const onStderr = opts.onStderr ?? ((text: string) => process.stderr.write(text));
  child.stderr?.on('data', (piece: Buffer) => {
    onStderr(piece.toString());
    stderrTail = (stderrTail + piece.toString()).slice(-4000);
  });
  try {
    const url = await listeningUrl(child, () => stderrTail);
    return {
      url,
      port: Number(new URL(url).port),
      pid: child.pid as number,
      stop: () => stop(child),
      kill: () => kill(child),
    };
  } catch (err) {
    kill(child);
    throw err;
  }
}

/** Reads the child's one JSON "listening" line. */
function listeningUrl(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => fail(new Error(`storage emulator did not start within ${START_TIMEOUT_MS} ms:\n${stderr()}`)),
      START_TIMEOUT_MS,
    );
    const onExit = (code: number | null) => fail(new Error(`storage emulator exited (${code}) before listening:\n${stderr()}`));
    function fail(err: Error) {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      reject(err);
    }
    child.once('exit', onExit);
    child.once('error', fail);
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      // Nothing else is expected on stdout; keep the pipe drained anyway.
      child.stdout?.resume();
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'listening' && typeof event.url === 'string') return resolvePromise(event.url);
      } catch {
        // Reported below.
      }
      reject(new Error(`unexpected first line from the storage emulator: ${line}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const killer = setTimeout(() => kill(child), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** No emulator outlives the process that started it. */
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const each of running) kill(each);
  });
}

/** The emulator's entry script: the compiled main.js next to this file when running
 * from dist/; from the TypeScript sources (tests via ts-jest), main.ts bundled with
 * esbuild into node_modules/.cache, so tests always run the current code without a
 * build step. */
export async function storageEmulatorScript(): Promise<string> {
  if (__filename.endsWith('.js')) return join(__dirname, 'main.js');
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(__dirname, 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    write: false,
  });
  const code = result.outputFiles[0].contents;
  const cacheDir = resolve(__dirname, '..', 'node_modules', '.cache', 'gcs-emulator');
  const script = join(cacheDir, `main-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`);
  if (!existsSync(script)) {
    mkdirSync(cacheDir, { recursive: true });
    const temp = `${script}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, script);
  }
  return script;
}
