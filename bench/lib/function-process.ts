import { startProcess, untilHttp } from '../../scripts/processes';
import { processCpuSeconds } from './machine';
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

/** Starts functions-framework's CLI, as Cloud Functions does, in a process group of its own (processes.ts:
 * stopped with the bench, however it exits, but for SIGKILL: the CLI does not watch its lifeline). */
export function spawnFunction(opts: FunctionOptions): FunctionProcess {
  const fn = startProcess({
    name: `function ${opts.target}`,
    command: opts.node ?? process.execPath,
    args: [...(opts.nodeArgs ?? []), FRAMEWORK_CLI, `--target=${opts.target}`, `--source=${opts.source}`, `--port=${opts.port}`],
    cwd: ROOT,
    // The per-request log lines go to /dev/null: written, as in production, but not read by the bench.
    stdout: 'ignore',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env },
  });
  return {
    url: `http://127.0.0.1:${opts.port}`,
    pid: fn.pid,
    exited: fn.exited.then((reason) => `${reason}: ${fn.outputTail()}`),
    cpuSeconds: () => processCpuSeconds(fn.pid),
    stop: () => fn.stop(),
  };
}

/** Resolves once the function answers HTTP at all; rejects if it exits first. */
export async function untilServing(fn: FunctionProcess, timeoutMs = 30_000): Promise<void> {
  const died = fn.exited.then((why) => Promise.reject(new Error(`function ${why}`)));
  died.catch(() => undefined);
  await Promise.race([untilHttp(`${fn.url}/`, timeoutMs), died]);
}
