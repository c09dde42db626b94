import { TtlCache } from '../../functions/domain/ttl-cache';

describe('TtlCache', () => {
  it('serves a kept value until it expires', async () => {
    let now = 0;
    const cache = new TtlCache<number>(1000, 10, () => now);
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('k', load)).toBe(1);
    now = 999;
    expect(await cache.get('k', load)).toBe(1);
    now = 1000;
    expect(await cache.get('k', load)).toBe(2);
  });

  it('answers a hit without loading', async () => {
    const cache = new TtlCache<number>(1000);
    expect(await cache.get('k', async () => 7)).toBe(7);
    expect(await cache.get('k', () => Promise.reject(new Error('loaded on a hit')))).toBe(7);
  });

  it('keeps nothing of a load that throws before its promise, and loads again', async () => {
    const cache = new TtlCache<number>(1000);
    await expect(
      cache.get('k', () => {
        throw new Error('no load');
      }),
    ).rejects.toThrow('no load');
    expect(await cache.get('k', async () => 9)).toBe(9);
  });

  it('never keeps what keep() refuses', async () => {
    const cache = new TtlCache<boolean>(1000);
    let loads = 0;
    await cache.get(
      'k',
      async () => (loads++, false),
      (v) => v,
    );
    await cache.get(
      'k',
      async () => (loads++, false),
      (v) => v,
    );
    expect(loads).toBe(2);
  });

  it('shares one load among concurrent misses', async () => {
    const cache = new TtlCache<string>(1000);
    let loads = 0;
    const load = () => new Promise<string>((r) => setTimeout(() => r(`v${++loads}`), 10));
    const values = await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    expect(values).toEqual(['v1', 'v1', 'v1']);
  });

  it('with ttl 0 loads every time', async () => {
    const cache = new TtlCache<number>(0);
    let loads = 0;
    await cache.get('k', async () => ++loads);
    await cache.get('k', async () => ++loads);
    expect(loads).toBe(2);
  });

  it('evicts the oldest entry past its size', async () => {
    const cache = new TtlCache<string>(1000, 2);
    let loads = 0;
    const load = async () => `v${++loads}`;
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load);
    expect(await cache.get('b', load)).toBe('v2');
    expect(await cache.get('a', load)).toBe('v4');
  });
});
