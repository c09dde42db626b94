import { formatBytes } from '../../packages/sdk/src/format-bytes';

describe('formatBytes: one way the command line and the browser show sizes', () => {
  it.each([
    [0, '0 B'],
    [1000, '1000 B'],
    [1024, '1.0 KiB'],
    [262144, '256.0 KiB'],
    [3 * 1024 * 1024, '3.0 MiB'],
    [2 * 1024 ** 3, '2.0 GiB'],
    [5 * 1024 ** 5, '5120.0 TiB'],
  ])('%d bytes read %s', (bytes, shown) => {
    expect(formatBytes(bytes)).toBe(shown);
  });

  it.each([
    [1000, '1000 B'],
    [1536, '1.5 KiB'],
    [262144, '256 KiB'],
    [1024 * 1024, '1.0 MiB'],
    [15.5 * 1024 * 1024, '16 MiB'],
  ])('compact, %d bytes read %s (no decimal from 10 upward)', (bytes, shown) => {
    expect(formatBytes(bytes, { compact: true })).toBe(shown);
  });
});
