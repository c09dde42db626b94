import { TokenBuckets } from '../../functions/domain/token-buckets';

describe('TokenBuckets', () => {
  const rule = { perSecond: 2, burst: 3 };
  let now = 0;
  const clock = () => now;

  it('allows the burst, then one token per 1/rate seconds, and says how long to wait', () => {
    const buckets = new TokenBuckets(100, clock);
    for (let i = 0; i < 3; i++) expect(buckets.take([{ name: 'a', rule }])).toEqual({ waitSeconds: 0 });
    expect(buckets.take([{ name: 'a', rule }])).toEqual({ waitSeconds: 1, empty: 0 });
    now += 500;
    expect(buckets.take([{ name: 'a', rule }]).waitSeconds).toBe(0);
    expect(buckets.take([{ name: 'a', rule }]).waitSeconds).toBe(1);
    now += 60_000;
    for (let i = 0; i < 3; i++) expect(buckets.take([{ name: 'a', rule }]).waitSeconds).toBe(0);
  });

  it('takes from every bucket or from none, and names the first empty one', () => {
    const buckets = new TokenBuckets(100, clock);
    const small = { perSecond: 0.1, burst: 1 };
    expect(
      buckets.take([
        { name: 'k1', rule },
        { name: 'org', rule: small },
      ]).waitSeconds,
    ).toBe(0);
    const refused = buckets.take([
      { name: 'k2', rule },
      { name: 'org', rule: small },
    ]);
    expect(refused).toEqual({ waitSeconds: 10, empty: 1 });
    // k2 lost nothing to the refusal: its whole burst is still there.
    for (let i = 0; i < 3; i++) expect(buckets.take([{ name: 'k2', rule }]).waitSeconds).toBe(0);
  });

  it('keeps at most its bound of buckets, dropping the least recently used', () => {
    const buckets = new TokenBuckets(10, clock);
    for (let i = 0; i < 3; i++) buckets.take([{ name: 'busy', rule }]);
    for (let i = 0; i < 5; i++) buckets.take([{ name: `other-${i}`, rule }]);
    expect(buckets.take([{ name: 'busy', rule }]).waitSeconds).toBe(1);
    for (let i = 5; i < 100; i++) buckets.take([{ name: `other-${i}`, rule }]);
    // Dropped: it comes back full, so at worst a forgotten caller gets its burst again.
    expect(buckets.take([{ name: 'busy', rule }]).waitSeconds).toBe(0);
  });
});
