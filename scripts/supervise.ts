import { spawn } from 'node:child_process';
import { COMMAND_NOT_FOUND, onParentGone } from './processes';

/**
 * `node supervise.js <command> [args…]` (what `startProcess({ supervise: true })` runs, see processes.ts):
 * runs a program we cannot add code to (Firestore's Java, the storage emulator's own CLI) so that it
 * cannot outlive whoever started this supervisor. The program
 * shares the supervisor's process group and output; when the parent is gone (pipe closed, or
 * re-parented), the program gets SIGTERM, then SIGKILL; when the program exits, so does the supervisor,
 * the same way, so the parent sees the program's own exit.
 */
const STOP_GRACE_MS = 5000;

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: supervise.js <command> [args...]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
child.once('error', (err: NodeJS.ErrnoException) => {
  process.stderr.write(`supervise: cannot run ${command}: ${err.message}\n`);
  process.exit(err.code === 'ENOENT' ? COMMAND_NOT_FOUND : 126);
});
child.once('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, so the parent can say what happened to the program.
    for (const each of FORWARDED) process.removeAllListeners(each);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
for (const each of FORWARDED) process.on(each, () => child.kill(each));

onParentGone(() => {
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
});
