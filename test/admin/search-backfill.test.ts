import { Firestore } from '@google-cloud/firestore';
import { FirestoreFileRecords } from '../../functions/adapters/firestore-file-records';
import type { FileRecord } from '../../functions/domain/file-record';
import { runCli } from '../../scripts/admin/run-cli';
import { isolatedNames } from '../support/stack';
import { record } from '../unit/ports-contract';

const { projectId } = isolatedNames(__filename);
const db = new Firestore({ projectId });
afterAll(() => db.terminate());

const put = (r: FileRecord) => db.doc(`organizations/${r.organization_id}/files/${r.id}`).create(r);

async function admin(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const env = { FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST, GOOGLE_CLOUD_PROJECT: projectId };
  const code = await runCli(args, { env, stdout: (t) => (out += t), stderr: (t) => (out += t) });
  return { code, out };
}

describe('files-admin file backfill-search', () => {
  it('gives records from before search their filename_key and purpose, leaves the rest, and is safe to repeat', async () => {
    // Records as the API wrote them before filters existed: no filename_key, no purpose.
    const old = record('org_backfill', 'file_old', { original_filename: 'A\u0308rger.PDF', status: 'uploaded' });
    const labelled = record('org_backfill', 'file_new', {
      original_filename: 'ärger-new.pdf',
      filename_key: 'ärger-new.pdf',
      purpose: 'invoice',
    });
    const other = record('org_other', 'file_other', { original_filename: 'Ärger-elsewhere.pdf' });
    await Promise.all([put(old), put(labelled), put(other)]);
    const records = new FirestoreFileRecords(db, 10_000);
    expect((await records.list('org_backfill', { search: 'ärger', offset: 0, limit: 10 })).total).toBe(1);

    expect(await admin('file', 'backfill-search', '--org', 'org_backfill')).toEqual({
      code: 0,
      out: 'scanned 2 file records, backfilled 1',
    });
    expect(await records.find('org_backfill', 'file_old')).toEqual({ ...old, filename_key: 'ärger.pdf', purpose: 'user_upload' });
    expect(await records.find('org_backfill', 'file_new')).toEqual(labelled);
    expect(await records.find('org_other', 'file_other')).toEqual(other);
    // By name: '-' before '.'.
    const found = await records.list('org_backfill', { search: 'ärger', offset: 0, limit: 10 });
    expect([found.records.map((r) => r.id), found.total]).toEqual([['file_new', 'file_old'], 2]);
    expect((await records.list('org_backfill', { purpose: 'user_upload', offset: 0, limit: 10 })).total).toBe(1);

    expect((await admin('file', 'backfill-search')).out).toBe('scanned 3 file records, backfilled 1');
    expect((await admin('file', 'backfill-search')).out).toBe('scanned 3 file records, backfilled 0');
    expect((await admin('file', 'backfill-search', '--org', 'not/an org')).code).toBe(2);
  });
});
