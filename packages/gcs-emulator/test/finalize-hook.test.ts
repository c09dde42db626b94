import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedPort, md5, ownEmulator, pattern, put, QUANTUM, startSession, storageClient } from './helpers';

// --on-finalize URL: a CloudEvent (binary mode) per finalized object.
interface Received {
  headers: http.IncomingHttpHeaders;
  body: Record<string, string>;
}

async function eventSink(): Promise<{ url: string; events: Received[]; next(): Promise<Received>; close(): Promise<void> }> {
  const events: Received[] = [];
  const waiting: Array<(event: Received) => void> = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (piece: Buffer) => (text += piece.toString()));
    req.on('end', () => {
      const event = { headers: req.headers, body: JSON.parse(text) as Record<string, string> };
      events.push(event);
      waiting.shift()?.(event);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    events,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('finalize hook', () => {
  it('posts google.cloud.storage.object.v1.finalized for resumable and simple uploads', async () => {
    const sink = await eventSink();
    const own = await ownEmulator({ finalizeUrl: sink.url });
    try {
      const client = storageClient(own.emulator.url);
      await client.createBucket('hooked');
      const data = pattern(QUANTUM + 7, 41);
      const first = sink.next();
      const uri = await startSession(own.emulator.url, 'hooked', 'dir/hooked.bin');
      expect((await put(uri, data)).status).toBe(200);
      const event = await first;
      expect(event.headers).toMatchObject({
        'ce-specversion': '1.0',
        'ce-type': 'google.cloud.storage.object.v1.finalized',
        'ce-source': '//storage.googleapis.com/projects/_/buckets/hooked',
        'ce-subject': 'objects/dir/hooked.bin',
        'content-type': 'application/json',
      });
      expect(event.headers['ce-id']).toEqual(expect.any(String));
      expect(new Date(event.headers['ce-time'] as string).getTime()).not.toBeNaN();
      expect(event.body).toMatchObject({
        kind: 'storage#object',
        bucket: 'hooked',
        name: 'dir/hooked.bin',
        size: String(data.length),
        md5Hash: md5(data),
      });

      const second = sink.next();
      await client.bucket('hooked').file('simple.txt').save('simple', { resumable: false });
      expect((await second).headers['ce-subject']).toBe('objects/simple.txt');
      // A status query on the finished session does not finalize again.
      expect((await put(uri, undefined, 'bytes */*')).status).toBe(200);
      expect(sink.events).toHaveLength(2);
    } finally {
      await own.cleanup();
      await sink.close();
    }
  });

  it('percent-encodes the subject as the CloudEvents HTTP binding says, so any object name is sent', async () => {
    const sink = await eventSink();
    const own = await ownEmulator({ finalizeUrl: sink.url });
    try {
      const bucket = storageClient(own.emulator.url).bucket('hooked-names');
      await storageClient(own.emulator.url).createBucket('hooked-names');
      const names: Array<[string, string]> = [
        ['漢字.mp4', 'objects/%E6%BC%A2%E5%AD%97.mp4'],
        ['a 😀 "q" 50%.bin', 'objects/a%20%F0%9F%98%80%20%22q%22%2050%25.bin'],
        ['café', 'objects/caf%C3%A9'],
      ];
      for (const [name, subject] of names) {
        const next = sink.next();
        await bucket.file(name).save('x', { resumable: false });
        const event = await next;
        expect(event.headers['ce-subject']).toBe(subject);
        expect(decodeURIComponent(event.headers['ce-subject'] as string)).toBe(`objects/${name}`);
        expect(event.body.name).toBe(name);
      }
    } finally {
      await own.cleanup();
      await sink.close();
    }
  });

  it('still completes uploads when the hook cannot be reached, and says so on stderr', async () => {
    let stderr = '';
    const own = await ownEmulator({
      finalizeUrl: `http://127.0.0.1:${await closedPort()}/nobody-listens`,
      onStderr: (text) => (stderr += text),
    });
    try {
      await storageClient(own.emulator.url).createBucket('hook-down');
      const uri = await startSession(own.emulator.url, 'hook-down', 'x.bin');
      expect((await put(uri, pattern(100))).status).toBe(200);
      const listing = (await (await fetch(`${own.emulator.url}/storage/v1/b/hook-down/o`)).json()) as { items: unknown[] };
      expect(listing.items).toHaveLength(1);
      // The event is posted after the upload is answered; the warning follows its failure.
      while (!stderr.includes('finalize hook')) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toMatch(
        /^storage-emulator: finalize hook http:\/\/127\.0\.0\.1:\d+\/nobody-listens failed for gs:\/\/hook-down\/x\.bin: /m,
      );
    } finally {
      await own.cleanup();
    }
  });
});
