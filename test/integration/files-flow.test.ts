import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateFile, validateFileList } from '../../functions/generated/validators';
import { EXECUTABLE_SAMPLES } from '../support/executable-samples';
import { runSeedExample } from '../support/run-example';
import { seedMember, startStack, type Stack } from '../support/stack';
import { orgApi, type Json } from '../support/org-api';

let stack: Stack;
let scratch: string;
beforeAll(async () => {
  stack = await startStack(__filename);
  scratch = mkdtempSync(join(tmpdir(), 'files-flow-'));
});
afterAll(async () => {
  await stack.close();
  rmSync(scratch, { recursive: true, force: true });
});

const api = (method: string, path: string, body?: unknown, key = stack.apiKey) => orgApi(stack, method, path, body, { key });

async function requestUploadUrl(filename: string, bytes: Buffer, mime: string) {
  const { status, json } = await api('POST', '/files/upload-url', { filename, file_size: bytes.length, mime_type: mime });
  expect(status).toBe(200);
  return json as { upload_url: string; gcs_path: string; file_id: string };
}

async function uploadInChunks(session: { upload_url: string; gcs_path: string }, bytes: Buffer): Promise<void> {
  const file = stack.storage.bucket(stack.bucket).file(session.gcs_path);
  await new Promise<void>((resolve, reject) => {
    file
      .createWriteStream({ uri: session.upload_url, resumable: true, chunkSize: 4 * 262144 })
      .on('error', reject)
      .on('finish', resolve)
      .end(bytes);
  });
}

const registration = (session: { gcs_path: string }, filename: string, bytes: Buffer, mime: string) => ({
  filename,
  gcs_path: session.gcs_path,
  file_size: bytes.length,
  mime_type: mime,
});

/** The session URI reaches the record just after the answer (a second write, off the critical path). */
async function sessionRecorded(fileId: string): Promise<void> {
  const ref = stack.db.doc(`organizations/${stack.organizationId}/files/${fileId}`);
  for (let i = 0; i < 100 && !(await ref.get()).get('session_uri'); i++) await new Promise((r) => setTimeout(r, 20));
  expect((await ref.get()).get('session_uri')).toBeTruthy();
}

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(2000, 1)]);

describe("the seed's full Python flow, as written", () => {
  it('upload-url, requests.put of the file, register', async () => {
    const path = join(scratch, 'large_video.mp4');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 524288000);
    // An MP4 begins with its ftyp box: the content check identifies the file by it.
    writeSync(fd, Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom')]), 0, 12, 0);
    closeSync(fd);
    const run = await runSeedExample(['seed-python.py', 'seed-python-resumable.py'], stack.api.url, stack.apiKey, {
      '/path/to/large_video.mp4': path,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const fileId = run.stdout.match(/File ID: (file_\w+)/)?.[1];
    expect(run.stdout).toContain(`File registered: ${fileId}`);
    const file = await api('GET', `/files/${fileId}`);
    expect(file.json).toMatchObject({ status: 'uploaded', file_size: 524288000, mime_type: 'video/mp4' });
    expect(file.json.crc32c).toMatch(/^[A-Za-z0-9+/]{6}==$/);
  }, 120_000);
});

describe('upload-url → chunked upload → register → get/list → delete', () => {
  const bytes = Buffer.alloc(24 * 1024 * 1024 + 12345, 3);

  it('goes the whole way with the official client', async () => {
    const session = await requestUploadUrl('tens-of-mb.bin', bytes, 'application/octet-stream');
    const early = await api('POST', '/files', registration(session, 'tens-of-mb.bin', bytes, 'application/octet-stream'));
    expect([early.status, early.json.error.code]).toEqual([409, 'UPLOAD_INCOMPLETE']);

    await uploadInChunks(session, bytes);
    const first = await api('POST', '/files', registration(session, 'tens-of-mb.bin', bytes, 'application/octet-stream'));
    expect(first.status).toBe(201);
    expect(validateFile(first.json)).toBe(true);
    expect(first.json).toMatchObject({ id: session.file_id, status: 'uploaded', file_size: bytes.length, storage_path: session.gcs_path });
    expect(first.json.uploaded_at).toMatch(/Z$/);
    const again = await api('POST', '/files', registration(session, 'tens-of-mb.bin', bytes, 'application/octet-stream'));
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);

    expect((await api('GET', `/files/${session.file_id}`)).json).toEqual(first.json);
    const listed = await api('GET', '/files?status=uploaded');
    expect(validateFileList(listed.json)).toBe(true);
    expect(listed.json.files.map((f: Json) => f.id)).toContain(session.file_id);

    expect((await api('DELETE', `/files/${session.file_id}`)).status).toBe(204);
    expect((await api('GET', `/files/${session.file_id}`)).status).toBe(404);
    expect((await api('GET', '/files?status=uploaded')).json.files.map((f: Json) => f.id)).not.toContain(session.file_id);
    const [exists] = await stack.storage.bucket(stack.bucket).file(session.gcs_path).exists();
    expect(exists).toBe(false);
    expect((await api('DELETE', `/files/${session.file_id}`)).status).toBe(204);
  }, 60_000);

  it('refuses a body that contradicts the record, and leaves the file as it was', async () => {
    const small = Buffer.from('hello');
    const session = await requestUploadUrl('a.txt', small, 'text/plain');
    await uploadInChunks(session, small);
    const wrong = await api('POST', '/files', { ...registration(session, 'a.txt', small, 'text/plain'), file_size: 6 });
    expect(wrong.status).toBe(422);
    // The body, not the bytes, is wrong: nothing changed. expected = the record's, actual = the body's.
    expect(wrong.json.error).toMatchObject({ code: 'REGISTRATION_MISMATCH', details: { field: 'file_size', expected: 5, actual: 6 } });
    const file = (await api('GET', `/files/${session.file_id}`)).json;
    expect(file).toMatchObject({ status: 'uploading', failure: null });
    expect(file.expires_at).toMatch(/Z$/);
    expect((await api('POST', '/files', registration(session, 'a.txt', small, 'text/plain'))).status).toBe(201);
  });

  it('fails a mislabelled upload (a PNG declared as a PDF) and deletes its object', async () => {
    const session = await requestUploadUrl('report.pdf', PNG, 'application/pdf');
    await uploadInChunks(session, PNG);
    const answer = await api('POST', '/files', registration(session, 'report.pdf', PNG, 'application/pdf'));
    expect(answer.status).toBe(422);
    // The bytes are wrong: the file failed. expected = declared, actual = stored.
    expect(answer.json.error.code).toBe('UPLOAD_VERIFICATION_FAILED');
    expect(answer.json.error.details).toEqual({ field: 'content', expected: 'application/pdf', actual: 'image/png' });
    const failed = (await api('GET', `/files/${session.file_id}`)).json;
    expect(validateFile(failed)).toBe(true);
    expect(failed).toMatchObject({
      status: 'failed',
      expires_at: null,
      failure: { field: 'content', expected: 'application/pdf', actual: 'image/png' },
    });
    expect(failed.failure.reason).toEqual(expect.any(String));
    expect(Object.keys(failed)).not.toContain('session_uri');
    expect(Object.keys(failed)).not.toContain('leftovers');
    const [exists] = await stack.storage.bucket(stack.bucket).file(session.gcs_path).exists();
    expect(exists).toBe(false);
    const repeat = await api('POST', '/files', registration(session, 'report.pdf', PNG, 'application/pdf'));
    expect(repeat.status).toBe(422);
  });

  it.each([
    ...Object.entries(EXECUTABLE_SAMPLES).map(([name, sample]) => [`a ${name} executable`, sample.bytes, sample.type] as const),
    ['random bytes', Buffer.concat([Buffer.from([0x13, 0x37]), randomBytes(5000)]), 'application/octet-stream'] as const,
  ])('fails %s declared as video/mp4 and deletes its object', async (_name, bytes, actual) => {
    const session = await requestUploadUrl('movie.mp4', bytes, 'video/mp4');
    await uploadInChunks(session, bytes);
    const answer = await api('POST', '/files', registration(session, 'movie.mp4', bytes, 'video/mp4'));
    expect([answer.status, answer.json.error.code]).toEqual([422, 'UPLOAD_VERIFICATION_FAILED']);
    expect(answer.json.error.details).toEqual({ field: 'content', expected: 'video/mp4', actual });
    expect((await api('GET', `/files/${session.file_id}`)).json).toMatchObject({ status: 'failed' });
    const [exists] = await stack.storage.bucket(stack.bucket).file(session.gcs_path).exists();
    expect(exists).toBe(false);
  });

  it('cancels an upload in progress: the session is gone, the record says cancelled', async () => {
    const bytes4 = Buffer.from('abcd');
    const session = await requestUploadUrl('c.bin', bytes4, 'application/octet-stream');
    await sessionRecorded(session.file_id);
    expect((await api('DELETE', `/files/${session.file_id}`)).status).toBe(204);
    expect((await api('GET', `/files/${session.file_id}`)).json).toMatchObject({ status: 'cancelled', expires_at: null, failure: null });
    expect((await fetch(session.upload_url, { method: 'PUT', body: bytes4 })).status).toBe(404);
    const register = await api('POST', '/files', registration(session, 'c.bin', bytes4, 'application/octet-stream'));
    expect([register.status, register.json.error.code]).toEqual([409, 'FILE_STATE_CONFLICT']);
  });

  it('50 concurrent registers of one file: one transition, one File object for all', async () => {
    const body = Buffer.alloc(300_000, 9);
    const session = await requestUploadUrl('race.bin', body, 'application/octet-stream');
    await uploadInChunks(session, body);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => api('POST', '/files', registration(session, 'race.bin', body, 'application/octet-stream'))),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(49);
    for (const a of answers) expect(a.json).toEqual(answers[0].json);
  }, 60_000);
});

describe('tenancy', () => {
  it('nothing of another organization can be seen or touched', async () => {
    const other = await seedMember(stack.db, 'org_rival', 'usr_rival');
    const theirs = await fetch(`${stack.api.url}/v1/organizations/org_rival/files/upload-url`, {
      method: 'POST',
      headers: { 'X-API-Key': other.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'secret.bin', file_size: 4, mime_type: 'application/octet-stream' }),
    }).then((r) => r.json() as Promise<Json>);
    await fetch(theirs.upload_url, { method: 'PUT', body: Buffer.from('abcd') });
    const missing = await api('GET', '/files/file_doesnotexist000000000000');
    for (const answer of [await api('GET', `/files/${theirs.file_id}`), await api('DELETE', `/files/${theirs.file_id}`)]) {
      expect([answer.status, answer.json.error.code]).toEqual([404, 'FILE_NOT_FOUND']);
      expect(Object.keys(answer.json.error.details)).toEqual(Object.keys(missing.json.error.details));
    }
    const register = await api('POST', '/files', {
      filename: 'secret.bin',
      gcs_path: theirs.gcs_path,
      file_size: 4,
      mime_type: 'application/octet-stream',
    });
    expect([register.status, register.json.error.code]).toEqual([404, 'FILE_NOT_FOUND']);
    expect((await api('GET', '/files?limit=100')).json.files.map((f: Json) => f.id)).not.toContain(theirs.file_id);
    const [stillThere] = await stack.storage.bucket(stack.bucket).file(theirs.gcs_path).exists();
    expect(stillThere).toBe(true);
  });
});

describe('list', () => {
  it('pages through many files, newest first, with an exact total', async () => {
    const org = 'org_many';
    const { apiKey } = await seedMember(stack.db, org, 'usr_lister');
    for (let i = 0; i < 23; i++) {
      const r = await fetch(`${stack.api.url}/v1/organizations/${org}/files/upload-url`, {
        method: 'POST',
        headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ filename: `f${i}.bin`, file_size: 10, mime_type: 'application/octet-stream' }),
      });
      expect(r.status).toBe(200);
    }
    const page = async (query: string) =>
      (await fetch(`${stack.api.url}/v1/organizations/${org}/files${query}`, { headers: { 'X-API-Key': apiKey } }).then((r) =>
        r.json(),
      )) as Json;
    const pages = [await page('?limit=10&page=1'), await page('?limit=10&page=2'), await page('?limit=10&page=3')];
    expect(pages.map((p) => [p.files.length, p.total, p.has_more])).toEqual([
      [10, 23, true],
      [10, 23, true],
      [3, 23, false],
    ]);
    const all = pages.flatMap((p) => p.files);
    expect(new Set(all.map((f: Json) => f.id)).size).toBe(23);
    const created = all.map((f: Json) => f.created_at);
    expect([...created].sort().reverse()).toEqual(created);
    expect((await page('')).limit).toBe(50);
    expect((await page('?status=uploaded')).total).toBe(0);
    for (const bad of ['?limit=0', '?limit=101', '?page=0', '?page=x', '?status=deleted']) {
      const answer = await fetch(`${stack.api.url}/v1/organizations/${org}/files${bad}`, { headers: { 'X-API-Key': apiKey } });
      expect(answer.status).toBe(400);
    }
  });
});
