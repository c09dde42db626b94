/** The organization and member the in-memory server seeds and the benchmarks call as. */
export const BENCH_ORGANIZATION_ID = 'org_bench';
export const BENCH_PRINCIPAL_ID = 'usr_bench';
