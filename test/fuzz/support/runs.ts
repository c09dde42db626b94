/**
 * Runs of one fuzz suite. Unset FUZZ_RUNS: `short`, what `npm test` runs. With
 * FUZZ_RUNS=N (e.g. 100000) the long version: N / `cost` runs, `cost` being how
 * many API-request runs one run of this suite is worth (a storage session is
 * many requests with real bytes).
 */
export function fuzzRuns(short: number, cost = 1): number {
  const long = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(long) && long > 0 ? Math.max(1, Math.ceil(long / cost)) : short;
}

/** The seed a run used, so a failure can be replayed with FUZZ_SEED. */
export function fuzzSeed(): number {
  const seed = Number(process.env.FUZZ_SEED);
  return Number.isInteger(seed) ? seed : Math.floor(Math.random() * 2 ** 31);
}
