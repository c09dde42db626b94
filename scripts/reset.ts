import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadStackConfig } from './local-stack/stack-config';
import { stopRunningStack } from './local-stack/stop-running';

/** What `npm start` keeps in LOCAL_DIR (`.local`), and nothing else: LOCAL_DIR may be any directory. */
const KEPT = ['firestore', 'storage', 'dev.json', 'stack.json', 'storage-requests.log', 'functions.log', 'signing-key.json'];

/** `npm run reset`: stops the local stack if it runs, then removes what it keeps (Firestore data, stored
 * objects, dev.json with its demo key, its logs), asking nothing: the next `npm start` begins anew. */
async function main(): Promise<number> {
  const { localDir } = loadStackConfig(process.env);
  const stopped = await stopRunningStack(localDir);
  if (stopped) process.stdout.write(`stopped the local stack (pid ${stopped.pid})\n`);
  const present = KEPT.filter((name) => existsSync(join(localDir, name)));
  for (const name of present) rmSync(join(localDir, name), { recursive: true, force: true });
  if (existsSync(localDir) && readdirSync(localDir).length === 0) rmdirSync(localDir);
  process.stdout.write(present.length > 0 ? `removed the local stack's data in ${localDir}\n` : `nothing to remove in ${localDir}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`npm run reset: ${err.message}\n`);
    process.exit(1);
  },
);
