/** FUZZ_RUNS scales every fuzz suite: unset, the short version `npm test` runs; e.g. FUZZ_RUNS=100000 for a long one. */
export function fuzzRuns(short: number): number {
  const long = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(long) && long > 0 ? long : short;
}

/** The seed a run used, so a failure can be replayed with FUZZ_SEED. */
export function fuzzSeed(): number {
  const seed = Number(process.env.FUZZ_SEED);
  return Number.isInteger(seed) ? seed : Math.floor(Math.random() * 2 ** 31);
}
