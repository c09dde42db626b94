import { validateUploadUrlResponse } from '../../functions/generated/validators';
import { runSeedExample } from '../support/run-example';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(__filename);
});
afterAll(() => stack.close());

async function recordOf(fileId: string) {
  const snap = await stack.db.doc(`organizations/${stack.organizationId}/files/${fileId}`).get();
  return snap.data();
}

describe("the seed's examples, as written", () => {
  it('cURL', async () => {
    const run = await runSeedExample('seed-curl.sh', stack.api.url, stack.apiKey);
    expect(run.code).toBe(0);
    const session = JSON.parse(run.stdout);
    expect(validateUploadUrlResponse(session)).toBe(true);
    expect(session).toMatchObject({ max_file_size: 5368709120, upload_type: 'resumable', chunk_size_recommended: 5242880 });
    expect(session.gcs_path).toBe(`files/org_123/${session.file_id}/large_video.mp4`);
    expect(session.upload_url.startsWith(`${process.env.STORAGE_EMULATOR_HOST}/upload/storage/v1/b/${stack.bucket}/o?`)).toBe(true);
    expect(session.upload_url).toContain('upload_id=');
  });

  it('Python', async () => {
    const run = await runSeedExample('seed-python.py', stack.api.url, stack.apiKey);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Upload URL: http:\/\/127\.0\.0\.1:\d+\/upload\/storage\/v1\/b\/.+upload_id=/);
    expect(lines[1]).toMatch(/^File ID: file_[A-Za-z0-9]{24}$/);
    expect(lines[2]).toMatch(/^GCS Path: files\/org_123\/file_[A-Za-z0-9]{24}\/large_video\.mp4$/);
  });

  it('JavaScript', async () => {
    const run = await runSeedExample('seed-javascript.js', stack.api.url, stack.apiKey);
    expect(run.code).toBe(0);
    const [url, id] = run.stdout.trim().split('\n');
    expect(url).toMatch(/^Upload URL: http:\/\/127\.0\.0\.1:\d+\/upload\/storage\/v1\/b\/.+upload_id=/);
    expect(id).toMatch(/^File ID: file_[A-Za-z0-9]{24}$/);
    const record = await recordOf(id.slice('File ID: '.length));
    expect(record).toMatchObject({
      status: 'uploading',
      original_filename: 'large_video.mp4',
      file_size: 524288000,
      mime_type: 'video/mp4',
    });
  });
});

async function createSession(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(stack.uploadUrl(), {
    method: 'POST',
    headers: { 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { upload_url: string; gcs_path: string; file_id: string };
}

describe('the session', () => {
  const size = 3 * 262144 + 1000;
  const bytes = Buffer.alloc(size, 7);

  it('is stored on the record, which answers never show again', async () => {
    const session = await createSession({ filename: 'r.bin', file_size: 10, mime_type: 'application/octet-stream' });
    let record = await recordOf(session.file_id);
    for (let i = 0; i < 50 && !record?.session_uri; i++) {
      await new Promise((r) => setTimeout(r, 20));
      record = await recordOf(session.file_id);
    }
    expect(record?.session_uri).toBe(session.upload_url);
  });

  it('takes exactly the declared bytes from the official client, in chunks', async () => {
    const session = await createSession({ filename: 'chunked.bin', file_size: size, mime_type: 'application/octet-stream' });
    const file = stack.storage.bucket(stack.bucket).file(session.gcs_path);
    await new Promise<void>((resolve, reject) => {
      const stream = file.createWriteStream({ uri: session.upload_url, resumable: true, chunkSize: 262144, validation: 'crc32c' });
      stream.on('error', reject).on('finish', resolve);
      stream.end(bytes);
    });
    const [metadata] = await file.getMetadata();
    expect(Number(metadata.size)).toBe(size);
    expect(metadata.contentType).toBe('application/octet-stream');
    expect(metadata.metadata).toMatchObject({ file_id: session.file_id, organization_id: stack.organizationId });
    const [downloaded] = await file.download();
    expect(downloaded.equals(bytes)).toBe(true);
  });

  it('refuses a total other than the declared size', async () => {
    const session = await createSession({ filename: 'short.bin', file_size: size, mime_type: 'application/octet-stream' });
    const tooShort = await fetch(session.upload_url, { method: 'PUT', body: bytes.subarray(0, size - 1) });
    expect(tooShort.status).toBe(400);
    const tooLong = await fetch(session.upload_url, { method: 'PUT', body: Buffer.concat([bytes, Buffer.from('x')]) });
    expect(tooLong.status).toBe(400);
    const [exists] = await stack.storage.bucket(stack.bucket).file(session.gcs_path).exists();
    expect(exists).toBe(false);
  });

  it('refuses bytes that contradict a declared checksum', async () => {
    const session = await createSession({
      filename: 'sum.bin',
      file_size: 4,
      mime_type: 'application/octet-stream',
      md5_hash: '1B2M2Y8AsgTpgAmY7PhCfg==',
    });
    const response = await fetch(session.upload_url, { method: 'PUT', body: Buffer.from('abcd') });
    expect(response.status).toBe(400);
    const [exists] = await stack.storage.bucket(stack.bucket).file(session.gcs_path).exists();
    expect(exists).toBe(false);
  });

  it("passes the caller's Origin through, so a browser there may upload", async () => {
    const origin = 'https://app.example.com';
    const session = await createSession({ filename: 'cors.bin', file_size: 4, mime_type: 'application/octet-stream' }, { Origin: origin });
    const preflight = await fetch(session.upload_url, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-range' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    const put = await fetch(session.upload_url, { method: 'PUT', headers: { Origin: origin }, body: Buffer.from('abcd') });
    expect(put.status).toBeLessThan(300);
    expect(put.headers.get('access-control-allow-origin')).toBe(origin);
  });

  it.each([
    'http://[::1]:8080',
    'http://my_host.internal:3000',
    'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
    'http://127.0.0.1:5173',
  ])('passes a valid origin the old check dropped: %s', async (origin) => {
    const session = await createSession({ filename: 'cors.bin', file_size: 4, mime_type: 'application/octet-stream' }, { Origin: origin });
    const put = await fetch(session.upload_url, { method: 'PUT', headers: { Origin: origin }, body: Buffer.from('abcd') });
    expect(put.status).toBeLessThan(300);
    expect(put.headers.get('access-control-allow-origin')).toBe(origin);
  });

  it('refuses an invalid Origin with 400 INVALID_FIELD_VALUE, and starts no session', async () => {
    const before = (await stack.db.collection(`organizations/${stack.organizationId}/files`).get()).size;
    for (const origin of [
      'http://a.com:99999',
      'http://-',
      `http://${'a'.repeat(8000)}.com`,
      'https://a.com/path',
      'ftp://a.com',
      'http://user@a.com',
      'app.example.com',
      'http://a..com',
    ]) {
      const response = await fetch(stack.uploadUrl(), {
        method: 'POST',
        headers: { 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json', Origin: origin },
        body: JSON.stringify({ filename: 'o.bin', file_size: 4, mime_type: 'application/octet-stream' }),
      });
      const answer = (await response.json()) as { error: { code: string; details: { field: string } } };
      expect([origin.slice(0, 40), response.status, answer.error.code, answer.error.details.field]).toEqual([
        origin.slice(0, 40),
        400,
        'INVALID_FIELD_VALUE',
        'Origin',
      ]);
    }
    expect((await stack.db.collection(`organizations/${stack.organizationId}/files`).get()).size).toBe(before);
  });

  it('never overwrites an existing object', async () => {
    const session = await createSession({ filename: 'once.bin', file_size: 4, mime_type: 'application/octet-stream' });
    await stack.storage.bucket(stack.bucket).file(session.gcs_path).save(Buffer.from('old!'), { resumable: false });
    const response = await fetch(session.upload_url, { method: 'PUT', body: Buffer.from('new!') });
    expect(response.status).toBe(412);
    const [content] = await stack.storage.bucket(stack.bucket).file(session.gcs_path).download();
    expect(content.toString()).toBe('old!');
  });
});
