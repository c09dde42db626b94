// Preloaded (node -r) into a function under bench/promises-per-request.ts: counts
// the promises the process makes (async_hooks PROMISE inits) between two
// SIGUSR2s and writes the count to PROMISE_COUNT_FILE at the second.
import { createHook } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';

let counting = false;
let promises = 0;
createHook({
  init(_id, type) {
    if (counting && type === 'PROMISE') promises++;
  },
}).enable();

process.on('SIGUSR2', () => {
  if (counting) writeFileSync(process.env.PROMISE_COUNT_FILE ?? '/dev/null', String(promises));
  counting = !counting;
  promises = 0;
});
