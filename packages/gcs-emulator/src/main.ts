import { HELP, parseArgs, wantsHelp } from './cli-args';
import { startEmulator } from './emulator';

/** CLI entry: prints one JSON line {"event":"listening","url":…} once it serves (the
 * caller waits for it), nothing else on stdout; SIGINT/SIGTERM close and exit 0. */
async function main(): Promise<void> {
  if (wantsHelp(process.argv.slice(2))) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  let config;
  try {
    config = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const emulator = await startEmulator(config);
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  // Before the line: whoever reads it may signal at once.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: emulator.url })}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`storage emulator failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
