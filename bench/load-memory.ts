// Memory under load: LOAD_REQUESTS (default 100,000) requests to the files API
// in this process (functions-framework's server, the real body layer, router,
// auth and handlers, on in-memory ports), a mix of upload-url, list, get,
// register and refused requests, with the heap sampled after full GCs. The
// in-memory double's own records are dropped before each sample, so what is
// measured is the API's memory, not the double's.
//   npm run bench:load-memory
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { openSync, writeSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemoryBackends } from '../functions/adapters/in-memory';
import { newApiKey } from '../functions/domain/api-key';
import { loadConfig } from '../functions/config';
import { machineLine } from './lib/machine';
import { registerFilesOnMemory } from './lib/files-on-memory';
import { UNREACHABLE_RATES } from './lib/unreachable-limits';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const TOTAL = Number(process.env.LOAD_REQUESTS ?? 100_000);
const SAMPLES = 20;
const CONCURRENCY = 8;

// The per-request log lines are written, as in production, but to /dev/null rather than a terminal.
const devNull = openSync('/dev/null', 'w');
const stdoutWrite = process.stdout.write.bind(process.stdout) as (chunk: unknown, ...rest: unknown[]) => boolean;
process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
  if (typeof chunk === 'string' && chunk.startsWith('{"severity"')) {
    writeSync(devNull, chunk);
    return true;
  }
  return stdoutWrite(chunk, ...rest);
}) as typeof process.stdout.write;

async function main(): Promise<void> {
  console.log(`load memory: ${machineLine()}`);
  const config = loadConfig({
    FILES_BUCKET: 'bench-bucket',
    GOOGLE_CLOUD_PROJECT: 'bench-project',
    // Its refused requests (unknown key, another organization) come from one address, on purpose.
    ...UNREACHABLE_RATES,
  });
  const backends = new MemoryBackends();
  backends.defaultLimits = { maxOpenSessions: Number.MAX_SAFE_INTEGER, maxStoredBytes: Number.MAX_SAFE_INTEGER };
  const apiKey = newApiKey();
  backends.addKey(apiKey, {
    key_id: 'key_load',
    principal_id: 'usr_load',
    status: 'active',
    expires_at: null,
    created_at: new Date().toISOString(),
    last4: apiKey.slice(-4),
  });
  backends.addMember('org_load', 'usr_load');
  registerFilesOnMemory(config, backends);
  const server = getTestServer('files');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const base = '/v1/organizations/org_load/files';
  const seeded = new Set<string>();
  const json = { 'x-api-key': apiKey, 'content-type': 'application/json' };
  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<number>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      r.on('error', reject);
      r.end(body);
    });
  const mix = [
    () =>
      send(
        'POST',
        `${base}/upload-url`,
        json,
        JSON.stringify({ filename: 'a.bin', file_size: 1000, mime_type: 'application/octet-stream' }),
      ),
    () => send('GET', `${base}?limit=10`, { 'x-api-key': apiKey }),
    () => send('GET', `${base}/file_${'x'.repeat(24)}`, { 'x-api-key': apiKey }),
    () =>
      send(
        'POST',
        base,
        json,
        JSON.stringify({
          filename: 'a.bin',
          gcs_path: 'files/org_load/file_abc/a.bin',
          file_size: 1000,
          mime_type: 'application/octet-stream',
        }),
      ),
    () => send('POST', `${base}/upload-url`, json, '{"filename":'),
    () => send('GET', base, { 'x-api-key': `ak_${'Z'.repeat(43)}` }),
    () => send('GET', '/v1/organizations/org_other/files', { 'x-api-key': apiKey }),
  ];
  const statuses: Record<number, number> = {};
  const forgetDoubleState = () => {
    for (const k of backends.files.keys()) if (!seeded.has(k)) backends.files.delete(k);
    backends.sessions.clear();
    backends.cancelled.clear();
    backends.calls.length = 0;
    backends.usages.clear();
  };
  const heap: number[] = [];
  const perSample = Math.ceil(TOTAL / SAMPLES);
  let sent = 0;
  const started = performance.now();
  for (let s = 0; s < SAMPLES; s++) {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < perSample) {
          const i = next++;
          const status = await mix[(sent + i) % mix.length]();
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    sent += perSample;
    forgetDoubleState();
    gc();
    gc();
    heap.push(process.memoryUsage().heapUsed);
  }
  const seconds = (performance.now() - started) / 1000;
  const mib = (b: number) => (b / 2 ** 20).toFixed(2);
  console.log(`${sent} requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)} req/s), answers ${JSON.stringify(statuses)}`);
  console.log(`heap after GC every ${perSample} requests (MiB): ${heap.map(mib).join(' ')}`);
  const settled = heap.slice(2);
  const growth = Math.min(...settled.slice(-3)) - Math.min(...settled.slice(0, 3));
  console.log(
    `growth from sample 3 to the end: ${mib(growth)} MiB = ${(growth / (sent - 3 * perSample)).toFixed(1)} B/request; rss ${mib(process.memoryUsage().rss)} MiB`,
  );
  console.log(`after: ${machineLine()}`);
  agent.destroy();
  server.closeAllConnections();
  server.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
