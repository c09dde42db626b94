import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Stack } from '../support/stack';

export const CLI = join(__dirname, '..', '..', 'packages', 'cli', 'dist', 'main.js');

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** resolves with the exit code (null when killed by a signal) */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** resolves once stderr matches */
  waitFor(pattern: RegExp): Promise<void>;
}

/** The built `files` bin as a user runs it, with pipes (not a TTY) for its output. */
export function runCli(args: string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.on('data', (piece: Buffer) => (out += piece.toString()));
  child.stderr!.on('data', (piece: Buffer) => {
    err += piece.toString();
    for (const waiter of waiters.filter((w) => w.pattern.test(err))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(err)) return resolve();
        waiters.push({ pattern, resolve });
        exit.then(() => reject(new Error(`the CLI exited before stderr matched ${pattern}:\n${err}`)));
      }),
  };
}

/** Runs `files` to its end: its exit code and whole output. */
export async function runCliToEnd(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = runCli(args, env);
  const { code } = await run.exit;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** What `--json` prints: one object a line. */
export function jsonLines<T>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** `files`' environment against a test stack, as its organization's member, its resume state in `scratch`. */
export function stackCliEnv(stack: Stack, scratch: string): Record<string, string> {
  return {
    FILES_API_URL: stack.api.url,
    FILES_API_KEY: stack.apiKey,
    FILES_ORG: stack.organizationId,
    FILES_STATE_DIR: join(scratch, 'state'),
  };
}
