import { spawn } from 'node:child_process';
import { stopProcessGroup } from '../../emulator/stop-process-group';
import { waitForHttp } from '../../emulator/wait-for-http';
import { processCpuSeconds } from './machine';
import { killGroup, onInterrupt } from './on-interrupt';
import { FRAMEWORK_CLI, ROOT } from './paths';

export interface FunctionOptions {
  /** the module functions-framework loads (--source) */
  source: string;
  target: string;
  port: number;
  /** the child's whole environment besides PATH: nothing leaks in from the bench's own */
  env: Record<string, string>;
  nodeArgs?: string[];
  /** the node binary to run it with; the bench's own by default */
  node?: string;
}

export interface FunctionProcess {
  url: string;
  pid: number;
  /** settles (never rejects) when the process exits, with the tail of its stderr */
  exited: Promise<string>;
  /** user + system CPU seconds the process has used so far (Linux /proc) */
  cpuSeconds(): number;
  /** stops the whole process group and waits for it */
  stop(): Promise<void>;
}

/** Starts functions-framework's CLI, as Cloud Functions does, in a process group of its own. */
export function spawnFunction(opts: FunctionOptions): FunctionProcess {
  const child = spawn(
    opts.node ?? process.execPath,
    [...(opts.nodeArgs ?? []), FRAMEWORK_CLI, `--target=${opts.target}`, `--source=${opts.source}`, `--port=${opts.port}`],
    {
      cwd: ROOT,
      detached: true,
      // The per-request log lines go to /dev/null: written, as in production, but not read by the bench.
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`exited (${code ?? signal}): ${stderr}`));
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
  });
  const pid = child.pid as number;
  child.once('exit', onInterrupt(killGroup(pid)));
  return {
    url: `http://127.0.0.1:${opts.port}`,
    pid,
    exited,
    cpuSeconds: () => processCpuSeconds(pid),
    stop: () => stopProcessGroup(child),
  };
}

/** Resolves once the function answers HTTP at all; rejects if it exits first. */
export async function untilServing(fn: FunctionProcess, timeoutMs = 30_000): Promise<void> {
  const died = fn.exited.then((why) => Promise.reject(new Error(`function ${why}`)));
  died.catch(() => undefined);
  await Promise.race([waitForHttp(`${fn.url}/`, timeoutMs), died]);
}
