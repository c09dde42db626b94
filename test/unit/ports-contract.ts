import { toFileObject, type FileRecord } from '../../functions/domain/file-record';
import { record } from '../support/file-record';

// Other test files import the record fixture from here too.
export { record };
import { filenameKey } from '../../functions/domain/filename-key';
import {
  DirectUploadSwept,
  IdempotencyKeyTaken,
  UsageChanged,
  type DirectUpload,
  type EventFeed,
  type FileRecords,
  type IdempotencyClaim,
  type Quotas,
} from '../../functions/domain/ports';
import type { FileEvent } from '../../functions/generated/schema-types';

export interface PortsUnderTest {
  records: FileRecords;
  quotas: Quotas;
  events: EventFeed;
}

/**
 * The organization's events once `count` of them are served (a feed serves an
 * event only once its commit has settled), read a page of two at a time.
 */
export async function eventsOnceServed(feed: EventFeed, org: string, count: number): Promise<FileEvent[]> {
  const deadline = Date.now() + 10_000;
  const read: FileEvent[] = [];
  for (;;) {
    const page = await feed.listEvents(org, { after: read[read.length - 1]?.id, limit: 2 });
    if (!page) throw new Error('the cursor was refused');
    read.push(...page.events);
    if (read.length >= count || Date.now() > deadline) return read;
    if (!page.hasMore) await new Promise((r) => setTimeout(r, 50));
  }
}

let counter = 0;
/** An organization of this test's own: the collection-group queries span every organization. */
const freshOrg = () => `org_contract_${process.pid}_${Date.now()}_${counter++}`;

const claim = (fileId: string, keyHash = 'k'.repeat(64)): IdempotencyClaim => ({
  keyHash,
  fingerprint: 'f'.repeat(64),
  fileId,
  createdAt: '2026-01-01T00:00:00Z',
  expiresAt: '2026-01-02T00:00:00Z',
});

/**
 * What every implementation of the record and quota ports must do, run
 * against the Firestore adapter (on the emulator) and the in-memory one, so
 * the fast tests' double cannot drift from what users meet.
 */
export function portsContract(name: string, ports: () => PortsUnderTest): void {
  describe(`${name}: the FileRecords and Quotas contract`, () => {
    const own = (org: string, found: FileRecord[]) => found.filter((r) => r.organization_id === org).map((r) => r.id);

    it('creates an uploading record with its usage, and reads it back as written', async () => {
      const { records, quotas } = ports();
      const org = freshOrg();
      const written = record(org, 'file_a', { crc32c: 'AAAAAA==' });
      await records.createUploading(written);
      expect(await records.find(org, 'file_a')).toEqual(written);
      expect(await records.find(org, 'file_missing')).toBeNull();
      expect((await quotas.usage(org)).usage).toEqual({ openSessions: 1, storedBytes: 100 });
    });

    it('reserves by compare-and-set: a create based on a read that another reservation overtook fails and writes nothing', async () => {
      const { records, quotas } = ports();
      const org = freshOrg();
      // The organization's first reservation, from two reads of nothing: one wins.
      const empty = await quotas.usage(org);
      await records.createUploading(record(org, 'file_a'), undefined, empty.basis);
      await expect(records.createUploading(record(org, 'file_b'), claim('file_b'), empty.basis)).rejects.toBeInstanceOf(UsageChanged);
      const one = await quotas.usage(org);
      expect(one.usage).toEqual({ openSessions: 1, storedBytes: 100 });
      await records.createUploading(record(org, 'file_c'), undefined, one.basis);
      await expect(records.createUploading(record(org, 'file_d'), undefined, one.basis)).rejects.toBeInstanceOf(UsageChanged);
      expect(await records.find(org, 'file_b')).toBeNull();
      expect(await records.find(org, 'file_d')).toBeNull();
      expect(await records.findClaim(org, claim('file_b').keyHash)).toBeNull();
      // A release leaves the basis standing: only reservations make one retry.
      const two = await quotas.usage(org);
      expect(two.usage).toEqual({ openSessions: 2, storedBytes: 200 });
      await records.transition(org, 'file_a', 'uploading', { status: 'cancelled' });
      await records.createUploading(record(org, 'file_e'), claim('file_e'), two.basis);
      expect((await quotas.usage(org)).usage).toEqual({ openSessions: 2, storedBytes: 200 });
      // A claim already taken is still told apart from a lost race.
      const three = await quotas.usage(org);
      await expect(records.createUploading(record(org, 'file_f'), claim('file_f'), three.basis)).rejects.toBeInstanceOf(
        IdempotencyKeyTaken,
      );
    });

    it('claims an Idempotency-Key with the record, atomically: a second claim fails and writes nothing', async () => {
      const { records, quotas } = ports();
      const org = freshOrg();
      await records.createUploading(record(org, 'file_a'), claim('file_a'));
      await expect(records.createUploading(record(org, 'file_b'), claim('file_b'))).rejects.toBeInstanceOf(IdempotencyKeyTaken);
      expect(await records.find(org, 'file_b')).toBeNull();
      expect((await quotas.usage(org)).usage.openSessions).toBe(1);
      expect(await records.findClaim(org, claim('file_a').keyHash)).toEqual(claim('file_a'));
      expect(await records.releaseClaim(org, claim('file_b'))).toBe(false);
      expect(await records.releaseClaim(org, claim('file_a'))).toBe(true);
      expect(await records.findClaim(org, claim('file_a').keyHash)).toBeNull();
    });

    it('fences an id: writes the record as given, unless one exists, and a create of that id then fails and reserves nothing', async () => {
      const { records, quotas } = ports();
      const org = freshOrg();
      const fenced = record(org, 'file_a', { status: 'failed', leftovers: true });
      expect(await records.fence(fenced)).toBeNull();
      expect(await records.find(org, 'file_a')).toEqual(fenced);
      await expect(records.createUploading(record(org, 'file_a'))).rejects.toMatchObject({ code: 6 });
      await expect(records.createUploading(record(org, 'file_a'), claim('file_a'))).rejects.toThrow();
      expect(await records.find(org, 'file_a')).toEqual(fenced);
      expect(await records.findClaim(org, claim('file_a').keyHash)).toBeNull();
      expect((await quotas.usage(org)).usage).toEqual({ openSessions: 0, storedBytes: 0 });
      await records.createUploading(record(org, 'file_b'));
      expect(await records.fence(record(org, 'file_b', { status: 'failed' }))).toEqual(record(org, 'file_b'));
      expect((await records.find(org, 'file_b'))?.status).toBe('uploading');
    });

    it('transitions only from the named state, with its usage delta, and says whether it made the change', async () => {
      const { records, quotas } = ports();
      const org = freshOrg();
      await records.createUploading(record(org, 'file_a'));
      expect(await records.transition(org, 'file_missing', 'uploading', { status: 'failed' })).toBeNull();
      const refused = await records.transition(org, 'file_a', 'uploaded', { status: 'deleted' });
      expect(refused).toEqual({ record: record(org, 'file_a'), changed: false });
      const done = await records.transition(org, 'file_a', 'uploading', { status: 'uploaded', uploaded_at: '2026-01-01T00:01:00Z' });
      expect(done).toEqual({ record: record(org, 'file_a', { status: 'uploaded', uploaded_at: '2026-01-01T00:01:00Z' }), changed: true });
      expect((await quotas.usage(org)).usage).toEqual({ openSessions: 0, storedBytes: 100 });
      expect((await records.transition(org, 'file_a', 'uploading', { status: 'failed' }))?.changed).toBe(false);
      await records.transition(org, 'file_a', 'uploaded', { status: 'deleted', leftovers: true });
      expect((await quotas.usage(org)).usage).toEqual({ openSessions: 0, storedBytes: 0 });
      // A change without a status moves no usage.
      await records.transition(org, 'file_a', 'deleted', { leftovers: false });
      expect((await quotas.usage(org)).usage).toEqual({ openSessions: 0, storedBytes: 0 });
    });

    it('writes the events of each change with it, in order, and none for a change not made or that keeps the status', async () => {
      const { records, events } = ports();
      const org = freshOrg();
      await records.createUploading(record(org, 'file_a'));
      await records.createUploaded(record(org, 'file_b', { status: 'uploaded' }));
      expect(await records.fence(record(org, 'file_c', { status: 'failed' }))).toBeNull();
      // Not made: a fence of an existing id, a create of one, a transition from a state the file is not in.
      expect(await records.fence(record(org, 'file_a', { status: 'failed' }))).not.toBeNull();
      await expect(records.createUploading(record(org, 'file_b'))).rejects.toThrow();
      expect((await records.transition(org, 'file_a', 'uploaded', { status: 'deleted' }))?.changed).toBe(false);
      // Housekeeping: no status change.
      await records.transition(org, 'file_a', 'uploading', { leftovers: true });
      await records.transition(org, 'file_a', 'uploading', { status: 'cancelled' });
      await records.transition(org, 'file_b', 'uploaded', { status: 'deleted' });
      await records.createUploading(record(org, 'file_d'));
      await records.transition(org, 'file_d', 'uploading', { status: 'expired' });
      const served = await eventsOnceServed(events, org, 9);
      expect(served.map((e) => [e.type, e.data.file.id, e.data.file.status])).toEqual([
        ['file.created', 'file_a', 'uploading'],
        ['file.created', 'file_b', 'uploaded'],
        ['file.uploaded', 'file_b', 'uploaded'],
        ['file.created', 'file_c', 'failed'],
        ['file.failed', 'file_c', 'failed'],
        ['file.cancelled', 'file_a', 'cancelled'],
        ['file.deleted', 'file_b', 'deleted'],
        ['file.created', 'file_d', 'uploading'],
        ['file.expired', 'file_d', 'expired'],
      ]);
      expect(served[0]).toEqual({
        id: expect.stringMatching(/^evt_[A-Za-z0-9]+$/),
        object: 'event',
        type: 'file.created',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        organization_id: org,
        data: { file: toFileObject(record(org, 'file_a')) },
      });
      expect(served[5].data.file).toEqual(toFileObject(record(org, 'file_a', { status: 'cancelled', leftovers: true })));
      expect(new Set(served.map((e) => e.id)).size).toBe(9);
      const times = served.map((e) => e.created_at);
      expect([...times].sort()).toEqual(times);
    });

    it('pages the events after a cursor, by type, and refuses a cursor that names no event of the organization', async () => {
      const { records, events } = ports();
      const org = freshOrg();
      for (const id of ['file_a', 'file_b', 'file_c']) await records.createUploading(record(org, id));
      await records.transition(org, 'file_b', 'uploading', { status: 'uploaded' });
      const all = await eventsOnceServed(events, org, 4);
      const first = await events.listEvents(org, { limit: 2 });
      expect([first?.events.map((e) => e.id), first?.hasMore]).toEqual([all.slice(0, 2).map((e) => e.id), true]);
      const rest = await events.listEvents(org, { after: all[1].id, limit: 2 });
      expect([rest?.events.map((e) => e.id), rest?.hasMore]).toEqual([all.slice(2).map((e) => e.id), false]);
      expect((await events.listEvents(org, { after: all[3].id, limit: 2 }))?.events).toEqual([]);
      const uploaded = await events.listEvents(org, { limit: 10, types: ['file.uploaded', 'file.failed'] });
      expect(uploaded?.events.map((e) => [e.type, e.data.file.id])).toEqual([['file.uploaded', 'file_b']]);
      const createdAfter = await events.listEvents(org, { after: all[0].id, limit: 10, types: ['file.created'] });
      expect(createdAfter?.events.map((e) => e.data.file.id)).toEqual(['file_b', 'file_c']);
      expect(await events.listEvents(org, { after: 'evt_0000000000000000000000000', limit: 2 })).toBeNull();
      expect(await events.listEvents(freshOrg(), { after: all[0].id, limit: 2 })).toBeNull();
    });

    it('lists newest first (ties by id, descending), with the total, a status filter, and never a deleted file unless asked', async () => {
      const { records } = ports();
      const org = freshOrg();
      const made = [
        record(org, 'file_a', { created_at: '2026-01-01T00:00:01Z' }),
        record(org, 'file_b', { created_at: '2026-01-01T00:00:03Z' }),
        record(org, 'file_c', { created_at: '2026-01-01T00:00:03Z' }),
        record(org, 'file_d', { created_at: '2026-01-01T00:00:02Z' }),
        record(org, 'file_e', { created_at: '2026-01-01T00:00:04Z' }),
      ];
      for (const r of made) await records.createUploading(r);
      await records.transition(org, 'file_e', 'uploading', { status: 'cancelled' });
      await records.transition(org, 'file_e', 'cancelled', { status: 'deleted' });
      await records.transition(org, 'file_d', 'uploading', { status: 'uploaded' });
      const all = await records.list(org, { offset: 0, limit: 10 });
      expect([all.records.map((r) => r.id), all.total]).toEqual([['file_c', 'file_b', 'file_d', 'file_a'], 4]);
      const page = await records.list(org, { offset: 1, limit: 2 });
      expect([page.records.map((r) => r.id), page.total]).toEqual([['file_b', 'file_d'], 4]);
      const uploading = await records.list(org, { status: 'uploading', offset: 0, limit: 10 });
      expect([uploading.records.map((r) => r.id), uploading.total]).toEqual([['file_c', 'file_b', 'file_a'], 3]);
      const deleted = await records.list(org, { status: 'deleted', offset: 0, limit: 10 });
      expect([deleted.records.map((r) => r.id), deleted.total]).toEqual([['file_e'], 1]);
    });

    it('lists from just after a position, in the same order, ids compared as Firestore does (upper case first)', async () => {
      const { records } = ports();
      const org = freshOrg();
      const made = [
        record(org, 'file_a', { created_at: '2026-01-01T00:00:03Z' }),
        record(org, 'file_B', { created_at: '2026-01-01T00:00:03Z' }),
        record(org, 'file_c', { created_at: '2026-01-01T00:00:02Z' }),
        record(org, 'file_D', { created_at: '2026-01-01T00:00:01Z', status: 'uploaded' }),
      ];
      for (const r of made) await records.createUploading(r);
      const all = await records.list(org, { offset: 0, limit: 10 });
      expect(all.records.map((r) => r.id)).toEqual(['file_a', 'file_B', 'file_c', 'file_D']);
      const after = (id: string) => ({ createdAt: (made.find((r) => r.id === id) as FileRecord).created_at, id });
      const tail = await records.list(org, { offset: 0, limit: 2, after: after('file_a') });
      expect([tail.records.map((r) => r.id), tail.total]).toEqual([['file_B', 'file_c'], 4]);
      expect((await records.list(org, { offset: 0, limit: 10, after: after('file_c') })).records.map((r) => r.id)).toEqual(['file_D']);
      expect((await records.list(org, { offset: 0, limit: 10, after: after('file_D') })).records).toEqual([]);
      const uploading = await records.list(org, { status: 'uploading', offset: 0, limit: 10, after: after('file_B') });
      expect([uploading.records.map((r) => r.id), uploading.total]).toEqual([['file_c'], 3]);
    });

    it('filters a listing by purpose and by a filename_key prefix (then by name, newest first), with the total and positions', async () => {
      const { records } = ports();
      const org = freshOrg();
      const named = (id: string, filename: string, created: number, change: Partial<FileRecord> = {}) =>
        record(org, id, {
          original_filename: filename,
          filename_key: filenameKey(filename),
          created_at: `2026-01-01T00:00:0${created}Z`,
          purpose: 'user_upload',
          ...change,
        });
      const made = [
        named('file_a', 'Report-b.pdf', 1),
        named('file_b', 'report-a.pdf', 2, { purpose: 'invoice' }),
        named('file_c', 'report-a.pdf', 3),
        named('file_d', 'Ärger.txt', 4, { purpose: 'invoice' }),
        named('file_e', 'other.txt', 5),
        // Written before search existed: no filename_key, so no search finds it.
        record(org, 'file_f', { original_filename: 'report-old.pdf', created_at: '2026-01-01T00:00:06Z' }),
        named('file_g', 'report-gone.pdf', 7),
      ];
      for (const r of made) await records.createUploading(r);
      await records.transition(org, 'file_a', 'uploading', { status: 'uploaded' });
      await records.transition(org, 'file_g', 'uploading', { status: 'cancelled' });
      await records.transition(org, 'file_g', 'cancelled', { status: 'deleted' });
      const ids = (found: { records: FileRecord[]; total: number }) => [found.records.map((r) => r.id), found.total];

      expect(ids(await records.list(org, { search: 'report', offset: 0, limit: 10 }))).toEqual([['file_c', 'file_b', 'file_a'], 3]);
      expect(ids(await records.list(org, { search: 'report', offset: 1, limit: 1 }))).toEqual([['file_b'], 3]);
      const after = { name: 'report-a.pdf', createdAt: '2026-01-01T00:00:02Z', id: 'file_b' };
      expect(ids(await records.list(org, { search: 'report', offset: 0, limit: 10, after }))).toEqual([['file_a'], 3]);
      expect(ids(await records.list(org, { search: filenameKey('A\u0308rger'), offset: 0, limit: 10 }))).toEqual([['file_d'], 1]);
      expect(ids(await records.list(org, { purpose: 'invoice', offset: 0, limit: 10 }))).toEqual([['file_d', 'file_b'], 2]);
      expect(ids(await records.list(org, { purpose: 'invoice', search: 'rep', offset: 0, limit: 10 }))).toEqual([['file_b'], 1]);
      expect(ids(await records.list(org, { status: 'uploaded', search: 'rep', offset: 0, limit: 10 }))).toEqual([['file_a'], 1]);
      expect(ids(await records.list(org, { status: 'uploading', purpose: 'user_upload', offset: 0, limit: 10 }))).toEqual([
        ['file_e', 'file_c'],
        2,
      ]);
      expect(ids(await records.list(org, { search: 'zzz', offset: 0, limit: 10 }))).toEqual([[], 0]);
    });

    it('updates a record in one step: renames (with its filename_key) and merges metadata, on the record as it is', async () => {
      const { records } = ports();
      const org = freshOrg();
      await records.createUploading(record(org, 'file_a', { metadata: { keep: '1', drop: '2' } }));
      await records.transition(org, 'file_a', 'uploading', { status: 'uploaded' });
      const outcome = await records.update(org, 'file_a', { filename: 'Ärger.pdf', metadata: { drop: null, added: '3' } });
      const expected = record(org, 'file_a', {
        status: 'uploaded',
        original_filename: 'Ärger.pdf',
        filename_key: 'ärger.pdf',
        metadata: { keep: '1', added: '3' },
      });
      expect(outcome).toEqual({
        updated: expected,
        fields: { original_filename: 'Ärger.pdf', filename_key: 'ärger.pdf', metadata: { keep: '1', added: '3' } },
      });
      expect(await records.find(org, 'file_a')).toEqual(expected);
      // Metadata alone leaves the name as it is.
      expect(await records.update(org, 'file_a', { metadata: { keep: null } })).toMatchObject({ fields: { metadata: { added: '3' } } });
      expect((await records.find(org, 'file_a'))?.original_filename).toBe('Ärger.pdf');
    });

    it('writes file.updated with each update it makes, carrying the file as updated, and none for a refused one', async () => {
      const { records, events } = ports();
      const org = freshOrg();
      await records.createUploaded(record(org, 'file_a', { status: 'uploaded' }));
      await records.update(org, 'file_a', { filename: 'renamed.pdf' });
      expect(await records.update(org, 'file_missing', { filename: 'x' })).toEqual({ refused: 'not_found' });
      await records.update(org, 'file_a', { metadata: { customer: 'c1' } });
      const served = await eventsOnceServed(events, org, 4);
      expect(served.map((e) => [e.type, e.data.file.original_filename, e.data.file.metadata])).toEqual([
        ['file.created', 'file_a.bin', {}],
        ['file.uploaded', 'file_a.bin', {}],
        ['file.updated', 'renamed.pdf', {}],
        ['file.updated', 'renamed.pdf', { customer: 'c1' }],
      ]);
    });

    it('refuses an update of a missing or deleted record, a rename while uploading, and metadata over its limits, writing nothing', async () => {
      const { records } = ports();
      const org = freshOrg();
      expect(await records.update(org, 'file_missing', { filename: 'x' })).toEqual({ refused: 'not_found' });
      const full = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v']));
      await records.createUploading(record(org, 'file_a', { metadata: full }));
      expect(await records.update(org, 'file_a', { filename: 'x' })).toEqual({ refused: 'state', status: 'uploading' });
      expect(await records.update(org, 'file_a', { metadata: { k16: 'v' } })).toMatchObject({ refused: 'metadata' });
      // Replacing a key, or adding one after removing another, stays within 16.
      expect(await records.update(org, 'file_a', { metadata: { k0: null, k16: 'v', k1: 'w' } })).toHaveProperty('updated');
      expect(Object.keys((await records.find(org, 'file_a'))?.metadata ?? {})).toHaveLength(16);
      await records.transition(org, 'file_a', 'uploading', { status: 'cancelled' });
      await records.transition(org, 'file_a', 'cancelled', { status: 'deleted' });
      expect(await records.update(org, 'file_a', { metadata: { k1: null } })).toEqual({ refused: 'not_found' });
      expect((await records.find(org, 'file_a'))?.metadata?.k1).toBe('w');
    });

    it('holds the metadata limit exactly under concurrent updates: of 12 adding a key each to 8, exactly 8 land', async () => {
      const { records } = ports();
      const org = freshOrg();
      const eight = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'v']));
      await records.createUploading(record(org, 'file_a', { metadata: eight }));
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, (_, i) => records.update(org, 'file_a', { metadata: { [`new${i}`]: 'v' } })),
      );
      expect(outcomes.filter((o) => 'updated' in o)).toHaveLength(8);
      expect(outcomes.filter((o) => 'refused' in o && o.refused === 'metadata')).toHaveLength(4);
      expect(Object.keys((await records.find(org, 'file_a'))?.metadata ?? {})).toHaveLength(16);
    });

    it('finds expired uploads, soonest expired first, up to the limit', async () => {
      const { records } = ports();
      const org = freshOrg();
      await records.createUploading(record(org, 'file_late', { expires_at: '2000-01-03T00:00:00Z' }));
      await records.createUploading(record(org, 'file_early', { expires_at: '2000-01-01T00:00:00Z' }));
      await records.createUploading(record(org, 'file_mid', { expires_at: '2000-01-02T00:00:00Z' }));
      await records.createUploading(record(org, 'file_future', { expires_at: '2999-01-01T00:00:00Z' }));
      await records.createUploading(record(org, 'file_done', { expires_at: '2000-01-01T00:00:00Z' }));
      await records.transition(org, 'file_done', 'uploading', { status: 'uploaded' });
      const found = own(org, await records.findExpired('2026-01-01T00:00:00Z', 1000));
      expect(found).toEqual(['file_early', 'file_mid', 'file_late']);
      // Nothing else in this project has expired, so the limit keeps the soonest.
      expect(own(org, await records.findExpired('2026-01-01T00:00:00Z', 2))).toEqual(['file_early', 'file_mid']);
      expect(await records.findExpired('1999-01-01T00:00:00Z', 1000)).toEqual([]);
    });

    it('finds uploads that never got a session, created at or before the cutoff, oldest first', async () => {
      const { records } = ports();
      const org = freshOrg();
      await records.createUploading(record(org, 'file_new', { created_at: '2001-01-01T00:10:00Z' }));
      await records.createUploading(record(org, 'file_old', { created_at: '2001-01-01T00:00:00Z' }));
      await records.createUploading(record(org, 'file_edge', { created_at: '2001-01-01T00:05:00Z' }));
      await records.createUploading(
        record(org, 'file_held', { created_at: '2001-01-01T00:00:00Z', session_uri: 'http://storage.invalid/s' }),
      );
      expect(own(org, await records.findSessionless('2001-01-01T00:05:00Z', 1000))).toEqual(['file_old', 'file_edge']);
    });

    it('finds records marked with leftovers, and only those', async () => {
      const { records } = ports();
      const org = freshOrg();
      await records.createUploading(record(org, 'file_a'));
      await records.createUploading(record(org, 'file_b'));
      await records.transition(org, 'file_a', 'uploading', { status: 'cancelled', leftovers: true });
      expect(own(org, await records.findLeftovers(1000))).toEqual(['file_a']);
      await records.transition(org, 'file_a', 'cancelled', { leftovers: false, session_uri: null });
      expect(own(org, await records.findLeftovers(1000))).toEqual([]);
    });
  });

  describe(`${name}: direct uploads' markers`, () => {
    const upload = (org: string, fileId: string, createdAt = '2001-01-01T00:00:00Z'): DirectUpload => ({
      organizationId: org,
      fileId,
      objectName: `files/${org}/${fileId}/${fileId}.bin`,
      createdAt,
    });
    /** The organization's markers at or before `cutoff`, oldest first. */
    const stale = async (records: FileRecords, org: string, cutoff = '2001-01-02T00:00:00Z') =>
      (await records.findStaleDirectUploads(cutoff, 1000)).filter((m) => m.organizationId === org);
    const uploaded = (org: string, id: string) => record(org, id, { status: 'uploaded', storage_path: upload(org, id).objectName });

    it('finds markers created at or before the cutoff, oldest first, as written, and never a younger one', async () => {
      const { records } = ports();
      const org = freshOrg();
      await records.markDirectUpload(upload(org, 'file_mid', '2001-01-01T00:00:02Z'));
      const version = await records.markDirectUpload(upload(org, 'file_old', '2001-01-01T00:00:01Z'));
      await records.markDirectUpload(upload(org, 'file_young', '2001-01-01T00:10:00Z'));
      await expect(records.markDirectUpload(upload(org, 'file_old'))).rejects.toMatchObject({ code: 6 });
      const found = await stale(records, org, '2001-01-01T00:00:02Z');
      expect(found.map((m) => m.fileId)).toEqual(['file_old', 'file_mid']);
      expect(found[0]).toEqual({ ...upload(org, 'file_old', '2001-01-01T00:00:01Z'), version });
    });

    it('deletes the marker in the commit of its record, which a claim then cannot take', async () => {
      const { records } = ports();
      const org = freshOrg();
      const version = await records.markDirectUpload(upload(org, 'file_a'));
      const [marker] = await stale(records, org);
      await records.createUploaded(uploaded(org, 'file_a'), claim('file_a'), undefined, version);
      expect(await records.find(org, 'file_a')).toEqual(uploaded(org, 'file_a'));
      expect(await stale(records, org)).toEqual([]);
      expect(await records.claimDirectUpload(marker)).toBeNull();
    });

    it('a claimed marker fails its record’s commit, which writes nothing: no record, usage or claim', async () => {
      const { records, quotas } = ports();
      const org = freshOrg();
      const version = await records.markDirectUpload(upload(org, 'file_a'));
      const [marker] = await stale(records, org);
      const claimed = await records.claimDirectUpload(marker);
      expect(claimed).toMatchObject(upload(org, 'file_a'));
      expect(claimed?.version).not.toBe(version);
      // Only one of two sweeps takes it.
      expect(await records.claimDirectUpload(marker)).toBeNull();
      const { basis } = await quotas.usage(org);
      await expect(records.createUploaded(uploaded(org, 'file_a'), claim('file_a'), basis, version)).rejects.toBeInstanceOf(
        DirectUploadSwept,
      );
      expect(await records.find(org, 'file_a')).toBeNull();
      expect(await records.findClaim(org, claim('file_a').keyHash)).toBeNull();
      expect((await quotas.usage(org)).usage).toEqual({ openSessions: 0, storedBytes: 0 });
      expect((await stale(records, org)).map((m) => m.version)).toEqual([claimed?.version]);
      await records.removeDirectUpload(org, 'file_a');
      await records.removeDirectUpload(org, 'file_a');
      expect(await stale(records, org)).toEqual([]);
      // Gone, it fails the commit as a claim does.
      await expect(records.createUploaded(uploaded(org, 'file_a'), undefined, undefined, version)).rejects.toBeInstanceOf(
        DirectUploadSwept,
      );
    });

    it('tells a lost usage race from a claimed marker: the marker stays until the record that wins it', async () => {
      const { records, quotas } = ports();
      const org = freshOrg();
      const version = await records.markDirectUpload(upload(org, 'file_a'));
      const empty = await quotas.usage(org);
      await records.createUploaded(uploaded(org, 'file_b'), undefined, empty.basis);
      await expect(records.createUploaded(uploaded(org, 'file_a'), undefined, empty.basis, version)).rejects.toBeInstanceOf(UsageChanged);
      expect((await stale(records, org)).map((m) => m.fileId)).toEqual(['file_a']);
      await records.createUploaded(uploaded(org, 'file_a'), undefined, (await quotas.usage(org)).basis, version);
      expect(await stale(records, org)).toEqual([]);
      expect((await quotas.usage(org)).usage).toEqual({ openSessions: 0, storedBytes: 200 });
    });
  });
}
