import { loadStackConfig } from './local-stack/stack-config';
import { stopRunningStack } from './local-stack/stop-running';

/** `npm run stop`: stops the stack `npm start` runs from this checkout (found by .local/stack.json), saving its data. */
async function main(): Promise<number> {
  const { localDir } = loadStackConfig(process.env);
  const stopped = await stopRunningStack(localDir);
  process.stdout.write(stopped ? `stopped the local stack (pid ${stopped.pid})\n` : 'no local stack is running from this checkout\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`npm run stop: ${err.message}\n`);
    process.exit(1);
  },
);
