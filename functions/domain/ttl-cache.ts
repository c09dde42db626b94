/**
 * A small per-instance cache: entries live `ttlMs`, the oldest go first past
 * `maxEntries`, and concurrent misses for one key share a single load.
 * A ttl of 0 disables it (every call loads).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `load` resolves the value; `keep` says whether to remember it (e.g. only hits). */
  async get(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    if (this.ttlMs <= 0) return load();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.value;
    if (hit) this.entries.delete(key);
    const pending = this.loading.get(key);
    if (pending) return pending;
    const loading = load();
    this.loading.set(key, loading);
    try {
      const value = await loading;
      if (keep(value)) this.remember(key, value);
      return value;
    } finally {
      this.loading.delete(key);
    }
  }

  /** The live entry for `key`, without loading it. */
  peek(key: string): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expiresAt > this.now() ? hit.value : undefined;
  }

  /** Remembers `value` as loaded now. */
  remember(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
