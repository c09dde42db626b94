import type { Caller } from '../domain/caller';
import { TokenBuckets, type BucketRule } from '../domain/token-buckets';
import { ApiError } from '../errors/api-error';

export interface RateLimits {
  perKey: BucketRule;
  perOrganization: BucketRule;
}

/**
 * 429 RATE_LIMIT_EXCEEDED with Retry-After once an API key, or an organization
 * across all its keys, is past its rate. Per instance, in memory (see
 * token-buckets.ts): nothing is added to the critical path's round trip.
 */
export class RateLimiter {
  private readonly buckets: TokenBuckets;

  constructor(
    private readonly limits: RateLimits,
    now: () => number = Date.now,
  ) {
    this.buckets = new TokenBuckets(50_000, now);
  }

  check(caller: Caller, organizationId: string): void {
    const { waitSeconds, empty } = this.buckets.take([
      { name: `key:${caller.keyId}`, rule: this.limits.perKey },
      { name: `org:${organizationId}`, rule: this.limits.perOrganization },
    ]);
    if (waitSeconds === 0) return;
    const scope = empty === 0 ? 'api_key' : 'organization';
    throw new ApiError(
      429,
      'RATE_LIMIT_EXCEEDED',
      `Too many requests for this ${scope === 'api_key' ? 'API key' : 'organization'}; retry after ${waitSeconds} s`,
      { scope, retry_after: waitSeconds },
      { 'Retry-After': String(waitSeconds) },
    );
  }
}
