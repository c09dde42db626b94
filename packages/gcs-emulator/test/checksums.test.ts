import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningChecksums } from '../src/checksums';
import { crc32c, md5, pattern, QUANTUM } from './helpers';

function digestsOf(pieces: Buffer[]) {
  const sums = new RunningChecksums();
  for (const piece of pieces) sums.update(piece);
  return sums.digests();
}

describe('RunningChecksums', () => {
  it('gives the standard CRC32C check value, big-endian in base64', () => {
    // CRC32C("123456789") is 0xE3069283.
    expect(digestsOf([Buffer.from('123456789')]).crc32c).toBe(Buffer.from([0xe3, 0x06, 0x92, 0x83]).toString('base64'));
    expect(digestsOf([]).crc32c).toBe('AAAAAA==');
  });

  it.each([1, 7, 4096, QUANTUM + 3])('matches the official client and node:crypto whatever the piece size (%i)', (pieceSize) => {
    const data = pattern(3 * QUANTUM + 1234, 41);
    const pieces: Buffer[] = [];
    for (let at = 0; at < data.length; at += pieceSize) pieces.push(data.subarray(at, at + pieceSize));
    expect(digestsOf(pieces)).toEqual({ md5Hash: md5(data), crc32c: crc32c(data) });
  });

  it('keeps running after digests are read', () => {
    const data = pattern(2 * QUANTUM, 42);
    const sums = new RunningChecksums();
    sums.update(data.subarray(0, QUANTUM));
    expect(sums.digests().crc32c).toBe(crc32c(data.subarray(0, QUANTUM)));
    sums.update(data.subarray(QUANTUM));
    expect(sums.digests()).toEqual({ md5Hash: md5(data), crc32c: crc32c(data) });
  });

  it('rebuilds from the first bytes of a part file, as after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'checksums-test-'));
    try {
      const data = pattern(5 * QUANTUM + 99, 43);
      const path = join(dir, 'session.part');
      writeFileSync(path, data);
      const prefix = data.subarray(0, 4 * QUANTUM);
      expect((await RunningChecksums.ofFile(path, prefix.length)).digests()).toEqual({ md5Hash: md5(prefix), crc32c: crc32c(prefix) });
      expect((await RunningChecksums.ofFile(path, 0)).digests()).toEqual(digestsOf([]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
