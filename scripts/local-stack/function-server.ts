import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ManagedProcess } from './managed-process';
import { stopGroup } from './process-group';
import { fileLine, shortLine } from './request-lines';

export interface FunctionServerOptions {
  /** how the supervisor's messages name it */
  name: string;
  /** the function registered in functions/index.ts; also the prefix of its output lines */
  target: string;
  source: string;
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
  /** drop its INFO log lines from the terminal, keeping its warnings and errors */
  hideInfoLines?: boolean;
  /** where every line of its output goes in full (the terminal gets a short line) */
  logFile: Writable;
}

interface Forward {
  prefix: string;
  target: string;
  logFile: Writable;
  keep?: (line: string) => boolean;
}

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

/** Runs one target of the compiled functions under functions-framework (function-host.ts), in a process
 * group of its own; its stdin is a pipe it watches, so it stops when this process is gone. */
export function startFunctionServer(opts: FunctionServerOptions): ManagedProcess {
  const child = spawn(process.execPath, [join(__dirname, 'function-host.js'), opts.source, opts.target, opts.host, String(opts.port)], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: opts.env,
  });
  child.stdin.on('error', () => undefined);
  const prefix = `${opts.target} | `;
  const forward = { prefix, target: opts.target, logFile: opts.logFile };
  forwardLines(child.stdout, process.stdout, { ...forward, keep: opts.hideInfoLines ? (line) => !isInfoLine(line) : undefined });
  forwardLines(child.stderr, process.stderr, forward);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`could not be started: ${err.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  });
  return {
    name: opts.name,
    pid: child.pid,
    exited,
    stop: async () => {
      if (child.pid !== undefined) await stopGroup(child.pid);
    },
  };
}
