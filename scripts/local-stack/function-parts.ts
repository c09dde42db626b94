import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { startFunctionServer, type FunctionServerOptions } from './function-server';
import type { ManagedProcess } from './managed-process';
import { hostAndPort, httpUrl } from './service-url';
import type { ServiceAddress, StackConfig } from './stack-config';
import type { StackParts } from './stack-parts';
import { waitForPort } from './wait-for-port';
import { webFunctionEnv } from './web-part';

const READY_TIMEOUT_MS = 30_000;

export interface RunningFunction {
  address: ServiceAddress;
  url: string;
  process: ManagedProcess;
}

export interface StackFunctions {
  files: RunningFunction;
  finalize: RunningFunction;
  sweep: RunningFunction;
  deliver: RunningFunction;
  relay: RunningFunction;
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

/** The three functions of functions/index.ts, each under its own functions-framework as on Google Cloud,
 * registered in `parts` as soon as spawned. Their clients reach the emulators only when a request needs
 * them, so they can start first, and the finalize function can be up before storage sends any event. */
export function startFunctions(config: StackConfig, parts: StackParts): StackFunctions {
  const common = {
    source: join(config.repoRoot, 'dist', 'functions', 'index.js'),
    env: functionEnv(config),
    logFile: createWriteStream(functionLog(config), { flags: 'a', mode: 0o600 }),
  };
  const start = (
    address: ServiceAddress,
    options: Omit<FunctionServerOptions, 'source' | 'env' | 'host' | 'port' | 'logFile'>,
  ): RunningFunction => {
    const fn = {
      address,
      url: httpUrl(address),
      process: startFunctionServer({ ...common, ...options, host: address.host, port: address.port }),
    };
    parts.add(fn.process);
    return fn;
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
export async function untilListening(fn: RunningFunction): Promise<void> {
  const died = fn.process.exited.then((reason) => {
    throw new Error(`the ${fn.process.name} ${reason} before it served (its output is above)`);
  });
  // Handled here too: after a timeout nobody awaits it, and it rejects when the stack stops the function.
  died.catch(() => undefined);
  await Promise.race([waitForPort(fn.address.host, fn.address.port, READY_TIMEOUT_MS), died]);
}
