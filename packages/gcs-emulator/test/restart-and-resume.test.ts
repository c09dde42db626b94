import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { existsSync, linkSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { startStorageEmulator } from '../src/start';
import { crc32c, md5, MIB, ownEmulator, pattern, put, QUANTUM, startSession, storageClient } from './helpers';

// Emulators of this file's own: stopped, killed and restarted on the same data dir.
const BUCKET = 'emulator-restart';

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const value = await probe();
    if (done(value) || attempt > 400) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The same session URI on another emulator address (a restart on port 0 moves it). */
function moved(uri: string, base: string): string {
  const target = new URL(uri);
  const to = new URL(base);
  target.host = to.host;
  return target.href;
}

/** A finished upload whose on-disk state is then set back to a moment inside its commit, as
 * a kill there leaves it: the session not yet marked done and its part file still there
 * (a hard link to the object's bytes); with `metadataWritten` false, the object not yet
 * either. Answers the session URI on the restarted emulator and the object's bytes. */
async function crashedInCommit(metadataWritten: boolean) {
  const own = await ownEmulator();
  const data = pattern(3 * QUANTUM + 77, metadataWritten ? 35 : 36);
  await storageClient(own.emulator.url).createBucket(BUCKET);
  const uri = await startSession(own.emulator.url, BUCKET, 'crashed-in-commit.bin', { query: '&ifGenerationMatch=0' });
  expect((await put(uri, data, `bytes 0-${data.length - 1}/${data.length}`)).status).toBe(200);
  await own.emulator.stop();

  const id = new URL(uri).searchParams.get('upload_id') as string;
  const sessionMeta = join(own.dataDir, 'sessions', `${id}.json`);
  const record = JSON.parse(readFileSync(sessionMeta, 'utf8')) as Record<string, unknown>;
  delete record.finalized;
  writeFileSync(sessionMeta, JSON.stringify(record));
  const objectsDir = join(own.dataDir, 'objects', BUCKET);
  const [dataFile] = readdirSync(objectsDir).filter((f) => f.endsWith('.data'));
  linkSync(join(objectsDir, dataFile), join(own.dataDir, 'sessions', `${id}.part`));
  if (!metadataWritten) unlinkSync(join(objectsDir, dataFile.replace(/\.data$/, '.json')));

  const emulator = await startStorageEmulator({ dataDir: own.dataDir });
  return {
    uri: moved(uri, emulator.url),
    data,
    id,
    own,
    emulator,
    async cleanup() {
      await emulator.stop();
      await own.cleanup();
    },
  };
}

describe('restart', () => {
  it('keeps buckets, objects and unfinished sessions across a stop and start; ignores orphans', async () => {
    const own = await ownEmulator();
    let { emulator } = own;
    const kept = pattern(MIB + 3, 31);
    const partial = pattern(3 * QUANTUM + 50, 32);
    try {
      const client = storageClient(emulator.url);
      await client.createBucket(BUCKET);
      await client.bucket(BUCKET).file('kept/object.bin').save(kept, { resumable: false });
      const uri = await startSession(emulator.url, BUCKET, 'resumed-after-restart.bin', {
        body: { md5Hash: md5(partial), crc32c: crc32c(partial) },
      });
      expect((await put(uri, partial.subarray(0, 2 * QUANTUM), `bytes 0-${2 * QUANTUM - 1}/*`)).status).toBe(308);
      await emulator.stop();

      // Leftovers of an interrupted commit: bytes without metadata, a half-written temp file.
      const objectsDir = join(own.dataDir, 'objects', BUCKET);
      writeFileSync(join(objectsDir, `${'0'.repeat(64)}.1.data`), 'orphan bytes');
      writeFileSync(join(objectsDir, `${'1'.repeat(64)}.2.json.abc.tmp`), '{"name":');

      emulator = await startStorageEmulator({ dataDir: own.dataDir });
      const after = storageClient(emulator.url);
      const [files] = await after.bucket(BUCKET).getFiles();
      expect(files.map((f) => f.name)).toEqual(['kept/object.bin']);
      expect((await after.bucket(BUCKET).file('kept/object.bin').download())[0].equals(kept)).toBe(true);
      expect(readdirSync(objectsDir).sort()).toHaveLength(2); // the object's metadata and bytes only

      const resumed = moved(uri, emulator.url);
      const status = await put(resumed, undefined, 'bytes */*');
      expect(status.status).toBe(308);
      expect(status.headers.get('range')).toBe(`bytes=0-${2 * QUANTUM - 1}`);
      // The checksums continue from the part file: both digests pinned at the start still verify.
      const done = await put(resumed, partial.subarray(2 * QUANTUM), `bytes ${2 * QUANTUM}-${partial.length - 1}/${partial.length}`);
      expect(done.status).toBe(200);
      expect(await done.json()).toMatchObject({ md5Hash: md5(partial), crc32c: crc32c(partial), size: String(partial.length) });
    } finally {
      await emulator.stop();
      await own.cleanup();
    }
  });

  it('finishes a session killed after its object was committed: the status query answers the object, whose bytes are whole', async () => {
    const crashed = await crashedInCommit(true);
    try {
      const status = await put(crashed.uri, undefined, 'bytes */*');
      expect(status.status).toBe(200);
      const object = (await status.json()) as { size: string; md5Hash: string; generation: string };
      expect(object).toMatchObject({ size: String(crashed.data.length), md5Hash: md5(crashed.data) });
      expect(object).not.toHaveProperty('uploadId');
      // The client re-sending its last chunk gets the same object, not a failed precondition.
      const again = await put(crashed.uri, crashed.data, `bytes 0-${crashed.data.length - 1}/${crashed.data.length}`);
      expect(again.status).toBe(200);
      expect(((await again.json()) as { generation: string }).generation).toBe(object.generation);
      const [stored] = await storageClient(crashed.emulator.url).bucket(BUCKET).file('crashed-in-commit.bin').download();
      expect(stored.equals(crashed.data)).toBe(true);
      expect(existsSync(join(crashed.own.dataDir, 'sessions', `${crashed.id}.part`))).toBe(false);
    } finally {
      await crashed.cleanup();
    }
  });

  it('resumes a session killed before its object was committed from the whole 256 KiB units it holds', async () => {
    const crashed = await crashedInCommit(false);
    try {
      const client = storageClient(crashed.emulator.url);
      expect((await client.bucket(BUCKET).getFiles())[0]).toEqual([]);
      const status = await put(crashed.uri, undefined, 'bytes */*');
      expect(status.status).toBe(308);
      expect(status.headers.get('range')).toBe(`bytes=0-${3 * QUANTUM - 1}`);
      const rest = crashed.data.subarray(3 * QUANTUM);
      const done = await put(crashed.uri, rest, `bytes ${3 * QUANTUM}-${crashed.data.length - 1}/${crashed.data.length}`);
      expect(done.status).toBe(200);
      const [stored] = await client.bucket(BUCKET).file('crashed-in-commit.bin').download();
      expect(stored.equals(crashed.data)).toBe(true);
    } finally {
      await crashed.cleanup();
    }
  });

  it('lets the official client resume after the emulator is killed mid-upload', async () => {
    const own = await ownEmulator();
    let { emulator } = own;
    const { port } = emulator;
    const data = pattern(6 * MIB, 33);
    try {
      const client = storageClient(emulator.url, { retryOptions: { autoRetry: false } });
      await client.createBucket(BUCKET);
      const file = client.bucket(BUCKET).file('killed-mid-upload.bin');
      const [uri] = await file.createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
      const stream = file.createWriteStream({ uri, chunkSize: 2 * QUANTUM, resumable: true, preconditionOpts: { ifGenerationMatch: 0 } });
      stream.on('progress', ({ bytesWritten }: { bytesWritten: number }) => {
        if (bytesWritten > 2 * MIB) emulator.kill();
      });
      await expect(pipeline(Readable.from([data]), stream)).rejects.toThrow();

      emulator = await startStorageEmulator({ dataDir: own.dataDir, port });
      const status = await put(uri, undefined, 'bytes */*');
      expect(status.status).toBe(308);
      const persisted = Number((status.headers.get('range') as string).split('-')[1]) + 1;
      expect(persisted % QUANTUM).toBe(0);
      expect(persisted).toBeGreaterThanOrEqual(2 * MIB - 2 * QUANTUM);

      // The client asks where to go on, skips what is there, and sends the rest.
      const again = storageClient(emulator.url).bucket(BUCKET).file('killed-mid-upload.bin');
      await pipeline(
        Readable.from([data]),
        again.createWriteStream({ uri, chunkSize: 2 * QUANTUM, resumable: true, preconditionOpts: { ifGenerationMatch: 0 } }),
      );
      const [meta] = await again.getMetadata();
      expect(meta.md5Hash).toBe(md5(data));
    } finally {
      await emulator.stop();
      await own.cleanup();
    }
  });
});

/** A TCP proxy that cuts the first connection once `limit` bytes went through it towards the server. */
async function cuttingProxy(targetPort: number, limit: number): Promise<{ url: string; cuts(): number; close(): Promise<void> }> {
  let sent = 0;
  let cuts = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (bytes: Buffer) => {
      sent += bytes.length;
      if (cuts === 0 && sent > limit) {
        cuts += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(bytes);
    });
    upstream.pipe(client);
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cuts: () => cuts,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('dropped connection', () => {
  it('lets the official client retry and resume on its own after its connection is cut mid-chunk', async () => {
    const own = await ownEmulator();
    const proxy = await cuttingProxy(own.emulator.port, 3 * MIB + 1000);
    const data = pattern(6 * MIB, 34);
    try {
      const client = storageClient(proxy.url);
      await client.createBucket(BUCKET);
      const file = client.bucket(BUCKET).file('cut-connection.bin');
      await pipeline(
        Readable.from([data]),
        file.createWriteStream({ chunkSize: 4 * QUANTUM, resumable: true, preconditionOpts: { ifGenerationMatch: 0 } }),
      );
      expect(proxy.cuts()).toBe(1);
      const [meta] = await file.getMetadata();
      expect(meta.md5Hash).toBe(md5(data));
    } finally {
      await proxy.close();
      await own.cleanup();
    }
  });
});

describe('session lifetime', () => {
  it('expires sessions after the configured TTL: 404, and their files are removed', async () => {
    const own = await ownEmulator({ sessionTtlSeconds: 1 });
    try {
      await storageClient(own.emulator.url).createBucket(BUCKET);
      const uri = await startSession(own.emulator.url, BUCKET, 'expiring.bin');
      const first = await put(uri, pattern(QUANTUM), `bytes 0-${QUANTUM - 1}/*`);
      expect(first.status).toBe(308);
      const gone = await eventually(
        () => put(uri, undefined, 'bytes */*'),
        (res) => res.status !== 308,
      );
      expect(gone.status).toBe(404);
      expect((await put(uri, pattern(QUANTUM), `bytes ${QUANTUM}-${2 * QUANTUM - 1}/*`)).status).toBe(404);
      const id = new URL(uri).searchParams.get('upload_id') as string;
      await eventually(
        async () => existsSync(join(own.dataDir, 'sessions', `${id}.part`)),
        (exists) => !exists,
      );
      expect(readdirSync(join(own.dataDir, 'sessions'))).toEqual([]);
    } finally {
      await own.cleanup();
    }
  });

  it('gives sessions a week by default', async () => {
    const own = await ownEmulator();
    try {
      await storageClient(own.emulator.url).createBucket(BUCKET);
      const before = Date.now();
      const uri = await startSession(own.emulator.url, BUCKET, 'a-week.bin');
      const id = new URL(uri).searchParams.get('upload_id') as string;
      const record = JSON.parse(readFileSync(join(own.dataDir, 'sessions', `${id}.json`), 'utf8')) as { expiresAt: number };
      const week = 7 * 24 * 3600 * 1000;
      expect(record.expiresAt).toBeGreaterThanOrEqual(before + week);
      expect(record.expiresAt).toBeLessThanOrEqual(Date.now() + week);
    } finally {
      await own.cleanup();
    }
  });
});
