import { randomBytes } from 'node:crypto';
import { validateEvent } from '../../functions/generated/validators';
import { BOUNDARY, multipartBody, rawPost, type RawAnswer } from '../support/multipart';
import { seedMember, startStack, type Stack } from '../support/stack';

// Each path that changes a file, through the function on the emulators, and
// what the feed then lists: exactly the change's events, carrying the file as
// GET answers it. Storage here sends no finalize events: this test posts them.
// Each step polls the feed: room for a loaded machine, never a timing assertion.
jest.setTimeout(120_000);
let stack: Stack;
let org: string;
let apiKey: string;
beforeAll(async () => {
  stack = await startStack(__filename, { DIRECT_UPLOAD_MAX_BYTES: String(64 * 1024) }, ['files', 'finalize', 'sweep']);
  ({ organizationId: org, apiKey } = stack);
});
afterAll(() => stack.close());

type Json = Record<string, any>;
const filesUrl = () => `${stack.api.url}/v1/organizations/${org}/files`;
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

async function call(method: string, url: string, body?: unknown, key = apiKey): Promise<{ status: number; json: Json }> {
  const response = await fetch(url, {
    method,
    headers: { 'X-API-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Json) : {} };
}

const feed = (query = '', key = apiKey, organization = org) =>
  call('GET', `${stack.api.url}/v1/organizations/${organization}/events${query}`, undefined, key);
const getFile = async (fileId: string) => (await call('GET', `${filesUrl()}/${fileId}`)).json;

async function uploadUrl(filename: string, size: number, mime: string): Promise<Json> {
  const answer = await call('POST', `${filesUrl()}/upload-url`, { filename, file_size: size, mime_type: mime });
  expect(answer.status).toBe(200);
  return answer.json;
}

const register = (session: Json, size: number, mime: string) =>
  call('POST', filesUrl(), { filename: session.gcs_path.split('/').pop(), gcs_path: session.gcs_path, file_size: size, mime_type: mime });

/** Storage's finalize event for the object, as Eventarc posts it (binary mode). */
async function finalize(objectName: string): Promise<number> {
  const [metadata] = await stack.storage.bucket(stack.bucket).file(objectName).getMetadata();
  const response = await fetch(`${stack.api.urls.finalize}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${stack.bucket}`,
      'ce-id': `finalize-${Math.random()}`,
    },
    body: JSON.stringify(metadata),
  });
  return response.status;
}

let cursor: string | undefined;

/**
 * The events listed after the cursor once `count` are listed (the feed lists
 * an event about a second after its commit), walked with pages of 3; the
 * cursor moves past them. Any event beyond those expected shows up in the
 * next step's list, so each step's assertion is exact.
 */
async function nextEvents(count: number): Promise<Json[]> {
  const read: Json[] = [];
  const deadline = Date.now() + 30_000;
  while (read.length < count && Date.now() < deadline) {
    const answer = await feed(`?limit=3${cursor ? `&after=${cursor}` : ''}`);
    expect(answer.status).toBe(200);
    read.push(...answer.json.events);
    cursor = answer.json.next_after ?? undefined;
    if (!answer.json.has_more) await new Promise((r) => setTimeout(r, 100));
  }
  for (const event of read) expect(validateEvent(event)).toBe(true);
  return read;
}

const summary = (events: Json[]) => events.map((e) => [e.type, e.data.file.id, e.data.file.status]);

describe('every path that changes a file writes exactly its events', () => {
  it('upload-url, register (and a repeated register), DELETE of an uploaded file', async () => {
    const bytes = pdf(2000);
    const session = await uploadUrl('a.pdf', bytes.length, 'application/pdf');
    const [created] = await nextEvents(1);
    expect(summary([created])).toEqual([['file.created', session.file_id, 'uploading']]);
    expect(created.data.file).toEqual(await getFile(session.file_id));
    expect(created).toMatchObject({ object: 'event', organization_id: org });

    expect((await fetch(session.upload_url, { method: 'PUT', body: bytes })).status).toBeLessThan(300);
    expect((await register(session, bytes.length, 'application/pdf')).status).toBe(201);
    expect((await register(session, bytes.length, 'application/pdf')).status).toBe(200);
    const [uploaded] = await nextEvents(1);
    expect(summary([uploaded])).toEqual([['file.uploaded', session.file_id, 'uploaded']]);
    expect(uploaded.data.file).toEqual(await getFile(session.file_id));

    expect((await call('DELETE', `${filesUrl()}/${session.file_id}`)).status).toBe(204);
    const [deleted] = await nextEvents(1);
    expect(summary([deleted])).toEqual([['file.deleted', session.file_id, 'deleted']]);
    expect(deleted.data.file).toEqual({ ...uploaded.data.file, status: 'deleted' });
  });

  it('the finalize event (and a repeated one), and a failed verification', async () => {
    const bytes = pdf(3000);
    const session = await uploadUrl('b.pdf', bytes.length, 'application/pdf');
    expect((await fetch(session.upload_url, { method: 'PUT', body: bytes })).status).toBeLessThan(300);
    expect(await finalize(session.gcs_path)).toBe(204);
    expect(await finalize(session.gcs_path)).toBe(204);
    const events = await nextEvents(2);
    expect(summary(events)).toEqual([
      ['file.created', session.file_id, 'uploading'],
      ['file.uploaded', session.file_id, 'uploaded'],
    ]);
    expect(events[1].data.file).toEqual(await getFile(session.file_id));

    // Declared a PDF, sent something else: register fails the file.
    const other = randomBytes(500);
    const wrong = await uploadUrl('c.pdf', other.length, 'application/pdf');
    expect((await fetch(wrong.upload_url, { method: 'PUT', body: other })).status).toBeLessThan(300);
    expect((await register(wrong, other.length, 'application/pdf')).status).toBe(422);
    const failed = await nextEvents(2);
    expect(summary(failed)).toEqual([
      ['file.created', wrong.file_id, 'uploading'],
      ['file.failed', wrong.file_id, 'failed'],
    ]);
    expect(failed[1].data.file).toEqual(await getFile(wrong.file_id));
    expect(failed[1].data.file.failure).toMatchObject({ field: expect.any(String) });
  });

  it('a direct upload: file.created then file.uploaded, in one commit', async () => {
    const bytes = pdf(4000);
    const url = `${filesUrl()}/upload`;
    const body = multipartBody([{ name: 'file', filename: 'd.pdf', type: 'application/pdf', value: bytes }]);
    const answer = (await rawPost(
      url,
      { 'X-API-Key': apiKey, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': String(body.length) },
      (write, end) => {
        write(body);
        end();
      },
    )) as RawAnswer;
    expect(answer.status).toBe(201);
    const file = answer.body as Json;
    const events = await nextEvents(2);
    expect(summary(events)).toEqual([
      ['file.created', file.id, 'uploaded'],
      ['file.uploaded', file.id, 'uploaded'],
    ]);
    expect(events[0].created_at).toBe(events[1].created_at);
    expect(events[1].data.file).toEqual(await getFile(file.id));
  });

  it('DELETE of an upload in progress (cancel), then of the cancelled file', async () => {
    const session = await uploadUrl('e.bin', 100, 'application/octet-stream');
    expect((await call('DELETE', `${filesUrl()}/${session.file_id}`)).status).toBe(204);
    const events = await nextEvents(2);
    expect(summary(events)).toEqual([
      ['file.created', session.file_id, 'uploading'],
      ['file.cancelled', session.file_id, 'cancelled'],
    ]);
    expect(events[1].data.file).toEqual(await getFile(session.file_id));
    expect((await call('DELETE', `${filesUrl()}/${session.file_id}`)).status).toBe(204);
    expect(summary(await nextEvents(1))).toEqual([['file.deleted', session.file_id, 'deleted']]);
  });

  it('the sweep: an expired session is file.expired; its clean-up writes none', async () => {
    const session = await uploadUrl('f.bin', 100, 'application/octet-stream');
    await stack.db.doc(`organizations/${org}/files/${session.file_id}`).update({ expires_at: '2000-01-01T00:00:00Z' });
    const sweep = await fetch(`${stack.api.urls.sweep}/`, { method: 'POST' });
    expect(await sweep.json()).toMatchObject({ expired: 1 });
    const events = await nextEvents(2);
    expect(summary(events)).toEqual([
      ['file.created', session.file_id, 'uploading'],
      ['file.expired', session.file_id, 'expired'],
    ]);
    expect(events[1].data.file).toEqual(await getFile(session.file_id));
  });

  it('and nothing else: the next change is the only event after them', async () => {
    const session = await uploadUrl('g.bin', 100, 'application/octet-stream');
    expect(summary(await nextEvents(1))).toEqual([['file.created', session.file_id, 'uploading']]);
    const rest = await feed(`?after=${cursor}`);
    expect(rest.json).toEqual({ events: [], has_more: false, next_after: cursor });
  });
});

describe('the feed', () => {
  it('filters by type, repeated or comma-separated, and pages with next_after', async () => {
    const all = (await feed('?limit=100')).json.events as Json[];
    const wanted = all.filter((e) => e.type === 'file.uploaded' || e.type === 'file.expired').map((e) => e.id);
    expect(wanted.length).toBeGreaterThan(2);
    const repeated = await feed('?type=file.uploaded&type=file.expired&limit=100');
    const commas = await feed('?type=file.uploaded,file.expired&limit=100');
    expect(repeated.json.events.map((e: Json) => e.id)).toEqual(wanted);
    expect(commas.json.events.map((e: Json) => e.id)).toEqual(wanted);
    const first = await feed('?type=file.uploaded,file.expired&limit=2');
    expect(first.json).toMatchObject({ has_more: true, next_after: wanted[1] });
    const second = await feed(`?type=file.uploaded,file.expired&limit=100&after=${first.json.next_after}`);
    expect(second.json.events.map((e: Json) => e.id)).toEqual(wanted.slice(2));
    expect((await feed()).json.next_after).toBe(all[Math.min(all.length, 50) - 1].id);
  });

  it('refuses an unknown cursor, a bad type or limit in the envelope, and a non-member', async () => {
    const known = (await feed('?limit=1')).json.events[0].id as string;
    for (const [query, field] of [
      ['?after=evt_00000000000000000000000000', 'after'],
      ['?after=file_abc', 'after'],
      ['?type=file.renamed', 'type'],
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
    ]) {
      const answer = await feed(query);
      expect([query, answer.status, answer.json.error?.code, answer.json.error?.details?.field]).toEqual([
        query,
        400,
        'INVALID_FIELD_VALUE',
        field,
      ]);
    }
    // Another organization's event is no cursor here.
    const { apiKey: otherKey } = await seedMember(stack.db, 'org_events_other', 'usr_other');
    const foreign = await feed(`?after=${known}`, otherKey, 'org_events_other');
    expect([foreign.status, foreign.json.error?.details?.field]).toEqual([400, 'after']);
    const outsider = await feed('', otherKey);
    expect([outsider.status, outsider.json.error?.code]).toEqual([403, 'ORGANIZATION_ACCESS_DENIED']);
  });
});
