// Webhook delivery latency on a running local stack (`npm start`): from the
// commit of a change (the event's created_at, Firestore's commit time) to the
// moment a receiver on 127.0.0.1 has the signed, verified webhook.
//
//   node dist/bench/webhook-latency.js [--uploads N] [--dev .local/dev.json]
//
// Each upload is a direct upload of a small file (file.created and
// file.uploaded, committed together); uploads run one after another.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { verifyWebhook } from '@files-api/sdk';

const { values } = parseArgs({
  options: { uploads: { type: 'string', default: '100' }, dev: { type: 'string', default: '.local/dev.json' } },
});
const uploads = Number(values.uploads);
const dev = JSON.parse(readFileSync(values.dev, 'utf8')) as { function_url: string; organization_id: string; api_key: string };
const api = `${dev.function_url}/v1/organizations/${dev.organization_id}`;

async function main(): Promise<void> {
  const latencies: number[] = [];
  let secret = '';
  const waiting = new Map<string, () => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrived = Date.now();
      const event = verifyWebhook(Buffer.concat(chunks).toString('utf8'), req.headers, secret);
      latencies.push(arrived - Date.parse(event.created_at));
      res.end();
      if (event.type === 'file.uploaded') waiting.get(event.data.file.id)?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const created = (await (
    await fetch(`${api}/webhooks`, {
      method: 'POST',
      headers: { 'X-API-Key': dev.api_key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ url, description: 'bench' }),
    })
  ).json()) as { id: string; secret: string };
  secret = created.secret;
  try {
    for (let i = 0; i < uploads; i++) {
      const form = new FormData();
      form.append('file', new Blob([`bench ${i}\n`], { type: 'text/plain' }), `bench-${i}.txt`);
      const answer = await fetch(`${api}/files/upload`, { method: 'POST', headers: { 'X-API-Key': dev.api_key }, body: form });
      const file = (await answer.json()) as { id: string };
      await new Promise<void>((resolve) => waiting.set(file.id, resolve));
    }
  } finally {
    await fetch(`${api}/webhooks/${created.id}`, { method: 'DELETE', headers: { 'X-API-Key': dev.api_key } });
    server.close();
  }
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  console.log(
    `${sorted.length} webhooks from ${uploads} uploads: commit -> receiver median ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1)} ms`,
  );
}

void main();
