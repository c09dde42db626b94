// Scaling on the local stack (Firestore emulator, the project's storage
// emulator, the real function under functions-framework's CLI):
//  1. upload-url with 1, 4, 16 and 64 requests in flight: throughput, median and p95;
//     the levels take turns in short slices, round after round, so a change in the
//     machine's load touches every level alike.
//  2. GET …/files?status=uploaded of one organization with 10,000 files (seeded
//     straight into Firestore), pages 1 to 100 at limit 100, by page number (an
//     offset: Firestore reads and bills every file it skips) and by page_token (a
//     cursor), requests interleaved page by page and mode by mode; then page 1 of
//     the default listing (no status) beside it.
//   npm run bench:scaling
//   SCALING_ROUNDS=5 SCALING_SLICE_SECONDS=3 SCALING_LIST_ROUNDS=30 npm run bench:scaling
import { Firestore } from '@google-cloud/firestore';
import http from 'node:http';
import { seedTenant } from '../scripts/local-stack/seed-tenant';
import { startFilesFunction } from './lib/files-function-stack';
import { post, type Call } from './lib/http-client';
import { machineLine, waitForQuiet } from './lib/machine';
import { seedUploadedFiles } from './lib/seed-file-records';
import { median, percentile, round } from './lib/stats';
import { uploadUrlCall } from './lib/upload-url-call';
import { UNREACHABLE_LIMITS_ENV } from './lib/unreachable-limits';

const LEVELS = [1, 4, 16, 64];
const ROUNDS = Number(process.env.SCALING_ROUNDS ?? 4);
const SLICE_MS = Number(process.env.SCALING_SLICE_SECONDS ?? 3) * 1000;
const FILES = 10_000;
const LIMIT = 100;
const PAGES = [1, 2, 10, 25, 50, 75, 100];
const LIST_ROUNDS = Number(process.env.SCALING_LIST_ROUNDS ?? 10);
const DEFAULT_LISTING_ROUNDS = 5;
const QUIET_WAIT_MS = Number(process.env.SCALING_QUIET_WAIT_MS ?? 120_000);
const LIST_ORGANIZATION = 'org_scaling';

/** Keeps `concurrency` upload-url calls in flight for `durationMs`; each answer's latency in ms. */
async function inFlight(call: () => Call, concurrency: number, durationMs: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failed = 0;
  let lastFailure = '';
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        try {
          const answer = await post(agent, call(), 30_000);
          if (answer.status === 200) latencies.push(performance.now() - sent);
          else {
            failed++;
            lastFailure = `${answer.status} ${answer.body.slice(0, 200)}`;
          }
        } catch (error) {
          failed++;
          lastFailure = String(error);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { latencies, seconds, failed, lastFailure };
}

/** One GET; its status, JSON body and latency in ms. */
function getJson(agent: http.Agent, url: URL, apiKey: string): Promise<{ status: number; json: Record<string, unknown>; ms: number }> {
  const sent = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { 'X-API-Key': apiKey }, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          ms: performance.now() - sent,
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} within 30 s`)));
    req.on('error', reject);
  });
}

async function uploadUrlScaling(baseUrl: string, organizationId: string, apiKey: string): Promise<void> {
  const call = () => uploadUrlCall(baseUrl, organizationId, apiKey);
  // Warm up every level once: the first calls build the function's and the emulators' connections.
  for (const level of LEVELS) await inFlight(call, level, 1000);
  const byLevel = new Map(LEVELS.map((level) => [level, { latencies: [] as number[], seconds: 0, failed: 0, lastFailure: '' }]));
  for (let r = 0; r < ROUNDS; r++) {
    // Each round in another order, so no level always follows the heaviest.
    const order = r % 2 === 0 ? LEVELS : [...LEVELS].reverse();
    for (const level of order) {
      const slice = await inFlight(call, level, SLICE_MS);
      const total = byLevel.get(level)!;
      total.latencies.push(...slice.latencies);
      total.seconds += slice.seconds;
      total.failed += slice.failed;
      if (slice.lastFailure) total.lastFailure = slice.lastFailure;
    }
  }
  const base = byLevel.get(1)!;
  const baseRps = base.latencies.length / base.seconds;
  console.log(`\nupload-url, ${ROUNDS} rounds of ${SLICE_MS / 1000} s per level, levels interleaved:`);
  console.log('| in flight | requests | req/s | × 1 in flight | median ms | p95 ms | failed |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [level, f] of byLevel) {
    const rps = f.latencies.length / f.seconds;
    console.log(
      `| ${level} | ${f.latencies.length} | ${round(rps, 1)} | ${round(rps / baseRps)} | ${round(median(f.latencies), 1)} | ${round(percentile(f.latencies, 95), 1)} | ${f.failed} |`,
    );
    if (f.failed) console.log(`  last failure at ${level}: ${f.lastFailure}`);
  }
}

async function listScaling(baseUrl: string, firestoreHost: string, projectId: string): Promise<void> {
  process.env.FIRESTORE_EMULATOR_HOST = firestoreHost;
  const db = new Firestore({ projectId });
  let apiKey: string;
  let newestFirst: string[];
  try {
    const seedStart = performance.now();
    ({ apiKey } = await seedTenant(db, {
      organizationId: LIST_ORGANIZATION,
      organizationName: 'Scaling',
      principalId: 'usr_scaling',
      role: 'member',
    }));
    newestFirst = (await seedUploadedFiles(db, LIST_ORGANIZATION, FILES)).map((r) => r.id);
    console.log(`\nseeded ${FILES} files in ${LIST_ORGANIZATION} in ${round((performance.now() - seedStart) / 1000, 1)} s`);
  } finally {
    await db.terminate();
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // Every seeded file is uploaded, so status=uploaded lists them all; the emulator answers its one-value filter
  // several times faster than the default listing's `status in (five states)`, measured apart below.
  const listUrl = (query: string, filter = '&status=uploaded') =>
    new URL(`/v1/organizations/${LIST_ORGANIZATION}/files?limit=${LIMIT}${filter}${query}`, baseUrl);
  const ids = (json: Record<string, unknown>) => (json.files as { id: string }[]).map((f) => f.id);

  // Walk every page by token once: the token to ask for each page with, and proof the walk lists every seeded file in order.
  const tokens = new Map<number, string>();
  const walked: string[] = [];
  let answer = await getJson(agent, listUrl('&page=1'), apiKey);
  for (let page = 1; ; page++) {
    if (answer.status !== 200) throw new Error(`page ${page}: ${answer.status} ${JSON.stringify(answer.json)}`);
    walked.push(...ids(answer.json));
    const next = answer.json.next_page_token as string | undefined;
    if (!next) break;
    tokens.set(page + 1, next);
    answer = await getJson(agent, listUrl(`&page_token=${next}`), apiKey);
  }
  if (walked.join() !== newestFirst.join()) throw new Error('the walk by page_token did not list the seeded files, newest first');
  console.log(`walked all ${tokens.size + 1} pages by page_token: the ${FILES} seeded files, newest first, each once`);

  const latencies = new Map<string, number[]>();
  for (let r = 0; r < LIST_ROUNDS; r++) {
    const order = r % 2 === 0 ? PAGES : [...PAGES].reverse();
    for (const page of order) {
      const modes = (r + page) % 2 === 0 ? (['page', 'page_token'] as const) : (['page_token', 'page'] as const);
      for (const mode of modes) {
        const query = mode === 'page' || page === 1 ? `&page=${page}` : `&page_token=${tokens.get(page)}`;
        const answer = await getJson(agent, listUrl(query), apiKey);
        if (answer.status !== 200) throw new Error(`page ${page} by ${mode}: ${answer.status} ${JSON.stringify(answer.json)}`);
        const key = `${mode} ${page}`;
        latencies.set(key, [...(latencies.get(key) ?? []), answer.ms]);
      }
    }
  }
  const stat = (mode: string, page: number) => {
    const values = latencies.get(`${mode} ${page}`)!;
    return { median: median(values), p95: percentile(values, 95) };
  };
  console.log(
    `\nGET …/files?limit=${LIMIT}&status=uploaded, ${FILES} files, ${LIST_ROUNDS} requests per page and mode, one at a time, interleaved:`,
  );
  console.log('| page | by page: median ms | p95 ms | × page 1 | by page_token: median ms | p95 ms | × page 1 |');
  console.log('|---|---|---|---|---|---|---|');
  const firstByPage = stat('page', 1).median;
  const firstByToken = stat('page_token', 1).median;
  for (const page of PAGES) {
    const p = stat('page', page);
    const t = stat('page_token', page);
    console.log(
      `| ${page} | ${round(p.median, 1)} | ${round(p.p95, 1)} | ${round(p.median / firstByPage)} | ${round(t.median, 1)} | ${round(t.p95, 1)} | ${round(t.median / firstByToken)} |`,
    );
  }

  // The default listing (no status: every state but deleted), against the one-value filter, page 1, alternating.
  const filtered: number[] = [];
  const unfiltered: number[] = [];
  for (let r = 0; r < DEFAULT_LISTING_ROUNDS; r++) {
    filtered.push((await getJson(agent, listUrl('&page=1'), apiKey)).ms);
    unfiltered.push((await getJson(agent, listUrl('&page=1', ''), apiKey)).ms);
  }
  agent.destroy();
  console.log(
    `\npage 1 without status (status in five states), ${DEFAULT_LISTING_ROUNDS} requests: median ${round(median(unfiltered), 1)} ms, ` +
      `${round(median(unfiltered) / median(filtered))}× status=uploaded (median ${round(median(filtered), 1)} ms)`,
  );
}

async function main(): Promise<void> {
  console.log(`scaling, before: ${machineLine()}`);
  console.log(await waitForQuiet(QUIET_WAIT_MS));
  const { stack, fn, stop } = await startFilesFunction({
    ...UNREACHABLE_LIMITS_ENV,
    // The emulator answers a query on 10,000 files by reading them all (seconds on a busy machine): not an outage.
    BACKEND_TIMEOUT_MS: '60000',
  });
  try {
    console.log(`started: ${machineLine()}`);
    await uploadUrlScaling(fn.url, stack.organizationId, stack.apiKey);
    console.log(`\nafter upload-url: ${machineLine()}`);
    await listScaling(fn.url, stack.functionEnv.FIRESTORE_EMULATOR_HOST, stack.functionEnv.GOOGLE_CLOUD_PROJECT);
    console.log(`\nafter: ${machineLine()}`);
  } finally {
    await stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
