import { TokenBuckets, type BucketRule } from '../domain/token-buckets';
import { ApiError } from '../errors/api-error';

/**
 * Failed authentications and authorizations, limited per client address: each
 * failure takes a token from its address's bucket, and an address whose bucket
 * is empty has its unknown keys and memberships refused with 429 before any
 * lookup (a made-up key costs a Firestore read). Successes take nothing, and
 * the Authenticator still serves keys it has seen valid to a refused address,
 * so a flood of failures never locks those out. Per instance, like the other
 * rate limits (docs/ABUSE-LIMITS.md).
 */
export class FailureLimiter {
  private readonly buckets: TokenBuckets;

  constructor(
    private readonly rule: BucketRule,
    now: () => number = Date.now,
  ) {
    this.buckets = new TokenBuckets(50_000, now);
  }

  /** The 429 to answer this address's lookups with, while its failures are over the limit. */
  refusal(address: string): ApiError | undefined {
    const waitSeconds = this.buckets.wait(`address:${address}`, this.rule);
    if (waitSeconds === 0) return undefined;
    return new ApiError(
      429,
      'RATE_LIMIT_EXCEEDED',
      `Too many failed authentications from this address; retry after ${waitSeconds} s`,
      { scope: 'client_address', retry_after: waitSeconds },
      { 'Retry-After': String(waitSeconds) },
    );
  }

  /** Counts a 401 or 403 of authentication or authorization against the address; other errors pass. */
  recordIfFailure(address: string, error: unknown): void {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      this.buckets.take([{ name: `address:${address}`, rule: this.rule }]);
    }
  }
}
