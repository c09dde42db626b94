export interface BucketRule {
  /** Tokens added per second. */
  perSecond: number;
  /** The most a bucket holds: the burst allowed after a quiet spell. */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets in this instance's memory, one per name: no backend round
 * trip, and each instance limits on its own (N instances allow N times the
 * rate). A full bucket is the same as none, so idle ones are dropped first
 * when there are too many.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly maxBuckets = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes one token from each named bucket, or from none: 0 when taken, else
   * the seconds until every one of them holds a token again, and the index of
   * the first bucket that is empty.
   */
  take(wanted: { name: string; rule: BucketRule }[]): { waitSeconds: number; empty?: number } {
    const now = this.now();
    const states = wanted.map(({ name, rule }) => {
      const bucket = this.buckets.get(name);
      const elapsed = bucket ? Math.max(0, now - bucket.at) / 1000 : Infinity;
      return Math.min(rule.burst, (bucket?.tokens ?? rule.burst) + elapsed * rule.perSecond);
    });
    const empty = states.findIndex((tokens) => tokens < 1);
    if (empty >= 0) {
      const wait = Math.max(...states.map((tokens, i) => (tokens < 1 ? (1 - tokens) / wanted[i].rule.perSecond : 0)));
      return { waitSeconds: Math.max(1, Math.ceil(wait)), empty };
    }
    wanted.forEach(({ name }, i) => {
      this.buckets.delete(name);
      this.buckets.set(name, { tokens: states[i] - 1, at: now });
    });
    if (this.buckets.size > this.maxBuckets) this.evict();
    return { waitSeconds: 0 };
  }

  /** Seconds until the named bucket holds a token again, 0 if it holds one now; takes nothing. */
  wait(name: string, rule: BucketRule): number {
    const bucket = this.buckets.get(name);
    if (!bucket) return 0;
    const tokens = Math.min(rule.burst, bucket.tokens + (Math.max(0, this.now() - bucket.at) / 1000) * rule.perSecond);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / rule.perSecond));
  }

  /** Drops the least recently used half: at worst a dropped caller gets a full bucket back. */
  private evict(): void {
    let drop = this.buckets.size - Math.floor(this.maxBuckets / 2);
    for (const name of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(name);
    }
  }
}
