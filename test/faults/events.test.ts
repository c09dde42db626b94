import { toFileObject, type FileRecord } from '../../functions/domain/file-record';
import type { FileEvent } from '../../functions/generated/schema-types';
import { toEventObject, type StoredEvent } from '../../functions/adapters/firestore-events';
import { BACKEND_TIMEOUT_MS, FaultStack, pause } from './support/fault-stack';
import { badOutcomes, tally, uploadUrlTraffic } from './support/traffic';

// Firestore frozen (SIGSTOP) while upload-url traffic and DELETEs run, so writes
// outlive their deadlines, land late, are fenced or lose their races; then
// the sweeper settles what was left. Afterwards every file's events, in feed
// order, replay exactly to its record: no change without its event, no event
// without its change.
jest.setTimeout(180_000);
const stack = new FaultStack('test-faults-events');
const HANG_MS = 10 * BACKEND_TIMEOUT_MS;

beforeAll(() => stack.start());
afterAll(() => stack.close());

const STATUS_OF: Record<string, FileRecord['status']> = {
  'file.uploaded': 'uploaded',
  'file.failed': 'failed',
  'file.cancelled': 'cancelled',
  'file.expired': 'expired',
  'file.deleted': 'deleted',
};

/** Deletes (cancels) files as their sessions are made, frozen backend or not; outcomes are the traffic's business. */
async function deleteSome(stop: () => boolean): Promise<number> {
  let sent = 0;
  while (!stop()) {
    const records = await stack.db
      .collection(`organizations/${stack.organizationId}/files`)
      .where('status', '==', 'uploading')
      .limit(3)
      .get();
    await Promise.all(
      records.docs.map((d) =>
        fetch(`${stack.filesUrl()}/${d.id}`, {
          method: 'DELETE',
          headers: { 'X-API-Key': stack.apiKey },
          signal: AbortSignal.timeout(HANG_MS),
        }).then(
          (res) => res.body?.cancel(),
          () => undefined,
        ),
      ),
    );
    sent += records.size;
    await pause(100);
  }
  return sent;
}

it('Firestore frozen during changes: every record equals what its events say, and every event has its record', async () => {
  const traffic = uploadUrlTraffic(stack.uploadUrl(), stack.apiKey, { workers: 4, hangMs: HANG_MS });
  for (let i = 0; i < 5; i++) await traffic.nextSuccess();
  let stopDeleting = false;
  const deleting = deleteSome(() => stopDeleting);
  await pause(500);
  stack.freeze('firestore');
  await pause(3 * BACKEND_TIMEOUT_MS);
  stack.thaw('firestore');
  for (let i = 0; i < 5; i++) await traffic.nextSuccess();
  stopDeleting = true;
  const [outcomes, deletes] = await Promise.all([traffic.stop(), deleting]);
  console.log(`events, firestore frozen: ${JSON.stringify(tally(outcomes))}, ${deletes} deletes sent`);
  expect(badOutcomes(outcomes)).toEqual([]);
  expect(outcomes.some((o) => o.status === 503)).toBe(true);
  const audit = await stack.settleAndAudit();
  expect(audit.problems).toEqual([]);

  const org = stack.organizationId;
  const [files, stored] = await Promise.all([
    stack.db.collection(`organizations/${org}/files`).get(),
    stack.db.collection(`organizations/${org}/events`).orderBy('created_at').orderBy('__name__').get(),
  ]);
  const events = stored.docs.map((d) => toEventObject(d.data() as StoredEvent));
  const byFile = new Map<string, FileEvent[]>();
  for (const event of events) byFile.set(event.data.file.id, [...(byFile.get(event.data.file.id) ?? []), event]);
  const records = new Map(files.docs.map((d) => [d.id, d.data() as FileRecord]));
  expect([...byFile.keys()].filter((id) => !records.has(id))).toEqual([]);
  expect(records.size).toBeGreaterThanOrEqual(10);
  expect([...records.values()].some((r) => r.status === 'failed' || r.status === 'cancelled')).toBe(true);
  for (const [id, record] of records) {
    const mine = byFile.get(id) ?? [];
    // Replayed: created first, then one event per status it entered, each carrying the file as it then was.
    expect([id, mine[0]?.type]).toEqual([id, 'file.created']);
    let status: FileRecord['status'] = mine[0].data.file.status;
    for (const event of mine.slice(1)) {
      const entered = STATUS_OF[event.type];
      expect([id, event.type, event.data.file.status]).toEqual([id, event.type, entered]);
      const createdSettled = event === mine[1] && mine[0].data.file.status === entered && mine[0].created_at === event.created_at;
      if (!createdSettled) expect([id, event.type, status !== entered]).toEqual([id, event.type, true]);
      status = entered;
    }
    expect([id, status]).toEqual([id, record.status]);
    expect([id, mine[mine.length - 1].data.file]).toEqual([id, toFileObject(record)]);
  }
});
