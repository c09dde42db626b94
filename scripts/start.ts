import { banner } from './local-stack/banner';
import { bringUp } from './local-stack/bring-up';
import { loadStackConfig } from './local-stack/stack-config';
import { StackParts } from './local-stack/stack-parts';

/** `npm start`: the Firestore emulator, the storage emulator and the three functions (files, finalize
 * fed by the storage emulator, sweep on a schedule) on loopback, with demo data; stops them all on
 * Ctrl-C, SIGTERM, or when any of them dies. */
async function main(): Promise<number> {
  const startedAt = Date.now();
  const parts = new StackParts();
  // Whatever way this process ends, no child outlives it.
  process.on('exit', () => parts.killNow());

  const abort = new AbortController();
  const stopRequested = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (abort.signal.aborted) {
        process.stderr.write('npm start: stopping now, without saving\n');
        process.exit(1);
      }
      process.stdout.write(`\n${signal}: stopping the local stack…\n`);
      abort.abort();
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  let up;
  try {
    const config = loadStackConfig(process.env);
    up = { config, stack: await bringUp(config, parts, abort.signal) };
  } catch (err) {
    // Startup errors (a taken port, no Java, no jar) carry a message that says what to do.
    if (!abort.signal.aborted) process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
    await parts.stop();
    return abort.signal.aborted ? 0 : 1;
  }
  process.stdout.write(banner(up.config, up.stack, (Date.now() - startedAt) / 1000));

  const outcome = await Promise.race([stopRequested, parts.firstExit()]);
  if (outcome) process.stderr.write(`npm start: the ${outcome.name} ${outcome.reason}; stopping the rest\n`);
  await parts.stop();
  return outcome ? 1 : 0;
}

main().then((code) => process.exit(code));
