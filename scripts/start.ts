import { mkdirSync } from 'node:fs';
import { banner } from './local-stack/banner';
import { keepToOwner } from './local-stack/owner-only';
import { recoveryNote } from './local-stack/recovery-note';
import { isRunning, readRunRecord, removeRunRecord, writeRunRecord } from './local-stack/run-record';
import { loadStackConfig, type StackConfig } from './local-stack/stack-config';
import { startLocalStack, type StartedStack } from './local-stack/start-stack';
import { StartupError } from './local-stack/startup-error';
import { onParentGone, StartedSet } from './processes';

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** A Ctrl-C reaches us twice under npm (from the terminal, and passed on by npm) within this. */
const SAME_CTRL_C_MS = 1000;

/** `npm start`: the Firestore emulator, the storage emulator and the three functions (files, finalize
 * fed by the storage emulator, sweep on a schedule) on loopback, with demo data.
 *
 * How it stops them (the rest is in processes.ts): on Ctrl-C, SIGTERM (`npm run stop`), SIGHUP (the
 * terminal closed), when whatever started it is gone (npm killed), or when any of them dies, it calls
 * `started.stop()`: each process group gets SIGTERM, then SIGKILL after a grace, functions first and
 * Firestore last, after it saved its data. If this process exits any other way, processes.ts's exit hook
 * SIGKILLs every group left; if it is killed outright, each child sees its stdin lifeline close and stops
 * on its own, and Firestore's data is as of its last background snapshot. */
async function main(): Promise<number> {
  const startedAt = new Date();
  // Once the terminal is gone, writing to it fails; that must not stop the stop.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const started = new StartedSet();

  const abort = new AbortController();
  const stopRequested = new Promise<void>((resolve) => {
    let firstAt = 0;
    const stop = (why: string, impatient: boolean) => {
      if (abort.signal.aborted) {
        // A second Ctrl-C means now. Not the one npm passes on of the same Ctrl-C (the terminal sent it
        // to us too), nor any other signal: those wait for the save.
        if (!impatient || Date.now() - firstAt < SAME_CTRL_C_MS) return;
        process.stderr.write('npm start: stopping now, without the last save\n');
        process.exit(1);
      }
      firstAt = Date.now();
      process.stdout.write(`\n${why}: stopping the local stack…\n`);
      abort.abort();
      resolve();
    };
    for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal, signal === 'SIGINT'));
    // npm killed with SIGKILL passes nothing on; this process is re-parented, which this sees.
    onParentGone(() => stop('the process that started the stack is gone', false), { watchStdin: false });
  });

  let config: StackConfig | undefined;
  let up: StartedStack;
  try {
    config = loadStackConfig(process.env);
    const unclean = claimCheckout(config.localDir, startedAt);
    up = await startLocalStack(config, started, abort.signal);
    if (unclean) process.stdout.write(`\n${recoveryNote(unclean, up.imported)}\n`);
  } catch (err) {
    // Startup errors (a taken port, no Java, no jar, a wrong setting) carry a message that says what to do.
    if (!abort.signal.aborted) process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
    await started.stop();
    if (config && !(err instanceof AlreadyRunning)) removeRunRecord(config.localDir);
    return abort.signal.aborted ? 0 : 1;
  }
  process.stdout.write(banner(config, up, (Date.now() - startedAt.getTime()) / 1000));

  const outcome = await Promise.race([stopRequested, started.firstExit()]);
  if (outcome) process.stderr.write(`npm start: the ${outcome.name} ${outcome.reason}; stopping the rest\n`);
  await started.stop();
  removeRunRecord(config.localDir);
  return outcome ? 1 : 0;
}

class AlreadyRunning extends StartupError {}

/** Records this process as the `npm start` running from this checkout; returns the record of the last one if it
 * ended without a clean stop. Refuses if another is running. */
function claimCheckout(localDir: string, startedAt: Date) {
  mkdirSync(localDir, { recursive: true, mode: 0o700 });
  keepToOwner(localDir);
  const last = readRunRecord(localDir);
  if (last && isRunning(last)) {
    throw new AlreadyRunning(
      `a local stack from this checkout is already running (pid ${last.pid}, since ${last.started_at}): \`npm run stop\` stops it`,
    );
  }
  writeRunRecord(localDir, { pid: process.pid, started_at: startedAt.toISOString() });
  return last;
}

main().then((code) => process.exit(code));
