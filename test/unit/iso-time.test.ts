import { createHash } from 'node:crypto';
import { apiKeyHash } from '../../functions/domain/api-key';
import { isoSeconds } from '../../functions/domain/iso-time';

describe('isoSeconds', () => {
  it('formats whole seconds, the same from its cache as freshly', () => {
    const at = Date.UTC(2025, 11, 29, 15, 30, 0, 999);
    expect(isoSeconds(at)).toBe('2025-12-29T15:30:00Z');
    expect(isoSeconds(at - 999)).toBe('2025-12-29T15:30:00Z');
    expect(isoSeconds(at + 1)).toBe('2025-12-29T15:30:01Z');
    // More distinct seconds than it keeps: every answer is still the formatted time.
    for (let s = 0; s < 40; s++) {
      const ms = at + s * 7_000_000;
      expect(isoSeconds(ms)).toBe(new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
    }
    expect(() => isoSeconds(NaN)).toThrow(RangeError);
  });
});

describe('apiKeyHash', () => {
  it('is the hex SHA-256 of the key', () => {
    const key = `ak_${'x'.repeat(43)}`;
    expect(apiKeyHash(key)).toBe(createHash('sha256').update(key, 'utf8').digest('hex'));
  });
});
