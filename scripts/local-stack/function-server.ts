import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { stopProcessGroup } from '../../emulator/stop-process-group';
import type { ManagedProcess } from './managed-process';

/** functions-framework's CLI; its package exports only the library, so go through the directory of that. */
function frameworkCli(): string {
  return join(dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');
}

function forwardLines(from: Readable, to: Writable, prefix: string): void {
  createInterface({ input: from }).on('line', (line) => to.write(`${prefix}${line}\n`));
}

/** Runs the compiled function under the real functions-framework CLI, in a process group of its own. */
export function startFunctionServer(opts: { source: string; port: number; env: NodeJS.ProcessEnv }): ManagedProcess {
  const child = spawn(
    process.execPath,
    [frameworkCli(), '--target=files', `--source=${opts.source}`, `--port=${opts.port}`],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env },
  );
  forwardLines(child.stdout, process.stdout, 'function | ');
  forwardLines(child.stderr, process.stderr, 'function | ');
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`could not be started: ${err.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  });
  return {
    name: 'function',
    pid: child.pid,
    exited,
    stop: () => stopProcessGroup(child),
  };
}
