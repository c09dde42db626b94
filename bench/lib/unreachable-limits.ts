/** Rate limits no run reaches: one key (and one address) sends every request. The fuzz
 * suites, which are one key sending thousands of requests a second, use them too. */
export const UNREACHABLE_RATES: Record<string, string> = {
  RATE_LIMIT_KEY_PER_SECOND: '1000000',
  RATE_LIMIT_KEY_BURST: '10000000',
  RATE_LIMIT_ORG_PER_SECOND: '1000000',
  RATE_LIMIT_ORG_BURST: '10000000',
  RATE_LIMIT_FAILURES_PER_SECOND: '1000000',
  RATE_LIMIT_FAILURES_BURST: '10000000',
};

/** Quotas and rate limits no benchmark run reaches: the function still checks them on
 * every request, but they never refuse. With the metadata-server probe off, as on the
 * local stack. */
export const UNREACHABLE_LIMITS_ENV: Record<string, string> = {
  DEFAULT_MAX_OPEN_SESSIONS: '1000000',
  DEFAULT_MAX_STORED_BYTES: String(Number.MAX_SAFE_INTEGER),
  ...UNREACHABLE_RATES,
  METADATA_SERVER_DETECTION: 'none',
};
