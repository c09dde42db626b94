import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { startProcess, untilPort, untilReady, type StartedProcess, type StartedSet } from '../processes';
import { fileLine, shortLine } from './request-lines';
import { hostAndPort, httpUrl } from './service-url';
import type { ServiceAddress, StackConfig } from './stack-config';
import { webFunctionEnv } from './stack-web';

const READY_TIMEOUT_MS = 30_000;

export interface StackFunction {
  address: ServiceAddress;
  url: string;
  process: StartedProcess;
}

export interface StackFunctions {
  files: StackFunction;
  finalize: StackFunction;
  sweep: StackFunction;
  deliver: StackFunction;
  relay: StackFunction;
}

interface FunctionSpec {
  /** how messages name it */
  name: string;
  /** the function registered in functions/index.ts; also the prefix of its output lines */
  target: string;
  /** drop its INFO log lines from the terminal, keeping its warnings and errors */
  hideInfoLines?: boolean;
}

/** Every function's log lines in full (Cloud Logging's JSON, with the function's name), one a line. */
export function functionLog(config: StackConfig): string {
  return join(config.localDir, 'functions.log');
}

/** The environment the functions run with: the developer's, pointed at this stack's emulators. */
export function functionEnv(config: StackConfig): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FIRESTORE_EMULATOR_HOST: hostAndPort(config.firestore),
    STORAGE_EMULATOR_HOST: httpUrl(config.storage),
    GOOGLE_CLOUD_PROJECT: config.projectId,
    FILES_BUCKET: config.bucket,
    NODE_ENV: 'development',
    PUBSUB_EMULATOR_HOST: hostAndPort(config.pubsub),
    // Webhooks to a receiver on this machine, over plain http (never allowed on Google Cloud).
    WEBHOOK_ALLOW_LOOPBACK: '1',
    ...webFunctionEnv(config),
  };
}

/** The functions of functions/index.ts, each under its own functions-framework as on Google Cloud
 * (serve-function.ts, which watches its lifeline itself), added to `started` as soon as started. Their
 * clients reach the emulators only when a request needs them, so they can start first, and the finalize
 * function can be up before storage sends any event. */
export function startStackFunctions(config: StackConfig, started: StartedSet): StackFunctions {
  const source = join(config.repoRoot, 'dist', 'functions', 'index.js');
  const env = functionEnv(config);
  const logFile = createWriteStream(functionLog(config), { flags: 'a', mode: 0o600 });
  const start = (address: ServiceAddress, spec: FunctionSpec): StackFunction => {
    const fn = startProcess({
      name: spec.name,
      command: process.execPath,
      args: [join(__dirname, 'serve-function.js'), source, spec.target, address.host, String(address.port)],
      env,
    });
    const forward = { prefix: `${spec.target} | `, target: spec.target, logFile };
    forwardLines(fn.stdout as Readable, process.stdout, { ...forward, keep: spec.hideInfoLines ? (line) => !isInfoLine(line) : undefined });
    forwardLines(fn.stderr, process.stderr, forward);
    started.add(fn);
    return { address, url: httpUrl(address), process: fn };
  };
  return {
    files: start(config.function, { name: 'files function', target: 'files' }),
    finalize: start(config.finalize, { name: 'finalize function', target: 'finalize' }),
    // Its request line each run is noise; the schedule says what a run did.
    sweep: start(config.sweep, { name: 'sweep function', target: 'sweep', hideInfoLines: true }),
    deliver: start(config.deliver, { name: 'deliver function', target: 'deliver' }),
    relay: start(config.relay, { name: 'relay function', target: 'relay', hideInfoLines: true }),
  };
}

/** Ready when its port accepts connections: a probe request would be logged by the function, and the finalize
 * function answers anything but a CloudEvent with an error. One that exits first fails the start with its reason. */
export async function untilListening(fn: StackFunction): Promise<void> {
  await untilReady(fn.process, () => untilPort(fn.address.host, fn.address.port, READY_TIMEOUT_MS));
}

interface Forward {
  prefix: string;
  target: string;
  logFile: Writable;
  keep?: (line: string) => boolean;
}

/** Every line in full to the log file; a short line to the terminal, unless `keep` says no. */
function forwardLines(from: Readable, to: Writable, { prefix, target, logFile, keep = () => true }: Forward): void {
  createInterface({ input: from }).on('line', (line) => {
    logFile.write(`${fileLine(target, line)}\n`);
    if (keep(line)) to.write(`${prefix}${shortLine(line)}\n`);
  });
}

/** The function's structured log lines at INFO; anything else (warnings, errors, plain text) is kept. */
function isInfoLine(line: string): boolean {
  try {
    return (JSON.parse(line) as { severity?: unknown }).severity === 'INFO';
  } catch {
    return false;
  }
}
