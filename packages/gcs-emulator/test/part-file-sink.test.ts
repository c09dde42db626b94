import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AlignedHasher } from '../src/aligned-hasher';
import { RunningChecksums } from '../src/checksums';
import { badRequest } from '../src/errors';
import { PartFileSink } from '../src/part-file-sink';
import { crc32c, md5, pattern, QUANTUM } from './helpers';

const MIB = 1 << 20;

let dir: string;
let file: FileHandle;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'part-file-sink-'));
  file = await open(join(dir, 'x.part'), 'w+');
});

afterEach(async () => {
  await file.close();
  rmSync(dir, { recursive: true, force: true });
});

function sinkOn(handle: FileHandle, sums: RunningChecksums, limit: number): PartFileSink {
  return new PartFileSink({
    file: handle,
    position: 0,
    skip: 0,
    limit,
    overflow: () => badRequest('too long'),
    hasher: new AlignedHasher(sums),
  });
}

/** The file, counting its datasync and writev calls. */
function counted(handle: FileHandle): { file: FileHandle; flushes: () => number; writes: () => number } {
  let flushes = 0;
  let writes = 0;
  const file = new Proxy(handle, {
    get(target, key) {
      if (key === 'datasync') return () => ((flushes += 1), target.datasync());
      if (key === 'writev') return (buffers: Buffer[], position: number) => ((writes += 1), target.writev(buffers, position));
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { file, flushes: () => flushes, writes: () => writes };
}

function pieces(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) out.push(data.subarray(at, at + size));
  return out;
}

describe('PartFileSink', () => {
  it('writes and hashes every byte of a body of many MiB in batches, flushing to disk as it goes', async () => {
    const data = pattern(9 * MIB + QUANTUM, 7); // not a whole number of write batches: ending writes the rest
    const sums = new RunningChecksums();
    const probe = counted(file);
    const sink = sinkOn(probe.file, sums, Infinity);
    await pipeline(Readable.from(pieces(data, 64 * 1024)), sink);
    await sink.settled();
    expect(sink.appended).toBe(data.length);
    expect(readFileSync(join(dir, 'x.part')).equals(data)).toBe(true);
    // All whole quanta are hashed; the sink does not decide about the tail.
    expect(data.length % QUANTUM).toBe(0);
    expect(sums.digests()).toEqual({ md5Hash: md5(data), crc32c: crc32c(data) });
    expect(probe.flushes()).toBeGreaterThan(0);
    // 64 KiB reads gathered into writes of at least 512 KiB, the last one aside.
    expect(probe.writes()).toBeLessThanOrEqual(Math.ceil(data.length / (512 * 1024)));
  });

  it.each([
    [5, 0],
    [8, 1],
  ])('flushes a %i MiB body of known length %i times, leaving its end to the sync that follows it', async (mib, flushes) => {
    const data = pattern(mib * MIB, 9);
    const probe = counted(file);
    const sink = sinkOn(probe.file, new RunningChecksums(), data.length);
    await pipeline(Readable.from(pieces(data, 64 * 1024)), sink);
    expect(sink.appended).toBe(data.length);
    expect(probe.flushes()).toBe(flushes);
  });

  it('fails the body when a background flush fails, since no later sync would report it', async () => {
    const failing = new Proxy(file, {
      get(target, key) {
        if (key === 'datasync') return () => Promise.reject(new Error('EIO: i/o error, fdatasync'));
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const sink = sinkOn(failing, new RunningChecksums(), Infinity);
    await expect(pipeline(Readable.from(pieces(pattern(8 * MIB, 3), 64 * 1024)), sink)).rejects.toThrow('EIO');
    await expect(sink.settled()).rejects.toThrow('EIO');
  });
});
