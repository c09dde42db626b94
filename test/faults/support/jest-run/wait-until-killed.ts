import { appendFileSync } from 'node:fs';

/** A test mid-run, as the ones a killed Jest was running: it says which worker runs it, then waits far
 * longer than test/faults/jest-killed.test.ts takes to kill its Jest and look. */
export async function waitUntilKilled(): Promise<void> {
  appendFileSync(process.env.JEST_KILLED_RUNNING ?? '', `${process.pid}\n`);
  await new Promise((r) => setTimeout(r, 110_000));
}
