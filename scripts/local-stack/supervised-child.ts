import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { StartupError } from './startup-error';

/** What supervise.js exits with when the program is not there, as a shell does. */
export const COMMAND_NOT_FOUND = 127;

/** supervise.js beside this file; from the TypeScript sources (Jest), the compiled one `npm test` builds. */
function superviseScript(): string {
  const script = __filename.endsWith('.js')
    ? join(__dirname, 'supervise.js')
    : join(__dirname, '..', '..', 'dist', 'scripts', 'local-stack', 'supervise.js');
  if (!existsSync(script)) throw new StartupError(`${script} is missing: run \`npm run build\` first`);
  return script;
}

export type SupervisedChild = ChildProcessByStdio<Writable, Readable, Readable>;

/**
 * Runs `command` under supervise.js, leader of a process group of its own (so a terminal's SIGHUP to
 * our group does not reach it, and stopping the group stops the program too). Its stdin is the
 * lifeline: nothing is written to it, and when this process dies, however, the pipe closes and the
 * supervisor stops the program.
 */
export function spawnSupervised(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): SupervisedChild {
  const child = spawn(process.execPath, [superviseScript(), command, ...args], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env });
  // The lifeline must not keep this process alive, nor fail it when the other end goes first.
  child.stdin.on('error', () => undefined);
  return child;
}
