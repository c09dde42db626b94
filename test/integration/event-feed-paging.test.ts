import { FirestoreFileRecords } from '../../functions/adapters/firestore-file-records';
import { record } from '../unit/ports-contract';
import { startStack, type Stack } from '../support/stack';

// The feed read with small pages while hundreds of changes commit concurrently
// (records written through the adapter, the feed read through the function):
// a reader that keeps `next_after` gets every event once, oldest first.
// Hundreds of commits on a shared 2-core machine: room for load, never a timing assertion.
jest.setTimeout(180_000);
let stack: Stack;
beforeAll(async () => {
  stack = await startStack(__filename);
});
afterAll(() => stack.close());

type Json = Record<string, any>;
const FILES = 100;
const WRITERS = 10;

async function page(query: string): Promise<Json> {
  const response = await fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}/events${query}`, {
    headers: { 'X-API-Key': stack.apiKey },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

/** Reads pages of `limit` from the start until `count` events are read (or 150 s pass), polling while it is caught up. */
async function follow(count: number, limit: number, types = ''): Promise<Json[]> {
  const read: Json[] = [];
  let after = '';
  const deadline = Date.now() + 150_000;
  while (read.length < count && Date.now() < deadline) {
    const answer = await page(`?limit=${limit}${types}${after ? `&after=${after}` : ''}`);
    read.push(...answer.events);
    after = answer.next_after ?? '';
    if (!answer.has_more) await new Promise((r) => setTimeout(r, 100));
  }
  return read;
}

it('pages exactly while the events are written: every event once, none invented, oldest first', async () => {
  const org = stack.organizationId;
  const records = new FirestoreFileRecords(stack.db, 10_000);
  const ids = Array.from({ length: FILES }, (_, i) => `file_paging${String(i).padStart(4, '0')}`);
  // Each writer creates its files, then uploads or cancels each: two events a file, committed concurrently across writers.
  const writing = Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (const id of ids.filter((_, i) => i % WRITERS === w)) {
        await records.createUploading(record(org, id));
        const to = Number(id.slice(-1)) % 2 === 0 ? 'uploaded' : 'cancelled';
        await records.transition(org, id, 'uploading', { status: to });
      }
    }),
  );
  const [all, uploaded] = await Promise.all([follow(2 * FILES, 7), follow(FILES / 2, 5, '&type=file.uploaded'), writing]);

  const stored = await stack.db.collection(`organizations/${org}/events`).get();
  const storedIds = stored.docs.map((d) => d.id).sort();
  expect(storedIds).toHaveLength(2 * FILES);
  expect(all.map((e) => e.id).sort()).toEqual(storedIds);
  // Oldest first: by commit time, ties by id; and each file's creation before its change.
  for (let i = 1; i < all.length; i++) {
    const [a, b] = [all[i - 1], all[i]];
    expect(a.created_at < b.created_at || (a.created_at === b.created_at && a.id < b.id)).toBe(true);
  }
  const position = new Map(all.map((e, i) => [`${e.data.file.id} ${e.type}`, i]));
  for (const id of ids) {
    const created = position.get(`${id} file.created`) as number;
    const after = position.get(`${id} file.uploaded`) ?? position.get(`${id} file.cancelled`);
    expect([id, created < (after as number)]).toEqual([id, true]);
  }
  expect(uploaded.map((e) => e.id)).toEqual(all.filter((e) => e.type === 'file.uploaded').map((e) => e.id));
  // Caught up: nothing more, even once everything has settled.
  await new Promise((r) => setTimeout(r, 1500));
  expect(await page(`?after=${all[all.length - 1].id}`)).toEqual({ events: [], has_more: false, next_after: all[all.length - 1].id });
});
