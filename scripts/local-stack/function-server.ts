import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { stopProcessGroup } from '../../emulator/stop-process-group';
import type { ManagedProcess } from './managed-process';

export interface FunctionServerOptions {
  /** how the supervisor's messages name it */
  name: string;
  /** the function registered in functions/index.ts; also the prefix of its output lines */
  target: string;
  signatureType: 'http' | 'cloudevent';
  source: string;
  port: number;
  env: NodeJS.ProcessEnv;
  /** drop its INFO log lines, keeping its warnings and errors */
  hideInfoLines?: boolean;
}

/** functions-framework's CLI; its package exports only the library, so go through the directory of that. */
function frameworkCli(): string {
  return join(dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');
}

function forwardLines(from: Readable, to: Writable, prefix: string, keep: (line: string) => boolean = () => true): void {
  createInterface({ input: from }).on('line', (line) => {
    if (keep(line)) to.write(`${prefix}${line}\n`);
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

/** Runs one target of the compiled functions under the real functions-framework CLI, in a process group of its own. */
export function startFunctionServer(opts: FunctionServerOptions): ManagedProcess {
  const child = spawn(
    process.execPath,
    [frameworkCli(), `--target=${opts.target}`, `--signature-type=${opts.signatureType}`, `--source=${opts.source}`, `--port=${opts.port}`],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env },
  );
  const prefix = `${opts.target} | `;
  forwardLines(child.stdout, process.stdout, prefix, opts.hideInfoLines ? (line) => !isInfoLine(line) : undefined);
  forwardLines(child.stderr, process.stderr, prefix);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`could not be started: ${err.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  });
  return {
    name: opts.name,
    pid: child.pid,
    exited,
    stop: () => stopProcessGroup(child),
  };
}
