import { request as httpRequest } from 'node:http';
import { validateErrorEnvelope } from '../../functions/generated/validators';
import { createApiKey, setKeyStatus } from '../../scripts/admin/api-keys';
import { captureStdout } from '../support/captured-stdout';
import { seedMember, startStack, type Stack } from '../support/stack';

let stack: Stack;
let stdout: ReturnType<typeof captureStdout>;

beforeAll(async () => {
  stack = await startStack(__filename);
  stdout = captureStdout();
});
afterAll(async () => {
  jest.restoreAllMocks();
  await stack.close();
});

const valid = { filename: 'large_video.mp4', file_size: 524288000, mime_type: 'video/mp4' };

interface Answer {
  status: number;
  headers: Headers;
  body: { success: false; error: { code: string; status: number; message: string; details: Record<string, unknown>; trace_id: string } };
}

async function call(init: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  const response = await fetch(stack.api.url + (init.path ?? `/v1/organizations/${stack.organizationId}/files/upload-url`), {
    method: init.method ?? 'POST',
    headers: init.headers ?? { 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' },
    body: init.body,
  });
  const text = await response.text();
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = JSON.parse(text);
  expect(validateErrorEnvelope(body)).toBe(true);
  expect(body.error.status).toBe(response.status);
  expect(response.headers.get('x-request-id')).toBe(body.error.trace_id);
  return { status: response.status, headers: response.headers, body };
}

const json = (value: unknown) => JSON.stringify(value);
const withKey = (key: string) => ({ 'X-API-Key': key, 'Content-Type': 'application/json' });

describe('every documented error of upload-url, in the envelope, through functions-framework', () => {
  it('400 INVALID_FIELD_VALUE for file_size 0: the seed example, exactly', async () => {
    const answer = await call({ body: json({ ...valid, file_size: 0 }) });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'INVALID_FIELD_VALUE',
      message: 'File size must be greater than 0',
      type: 'client_error',
      status: 400,
      details: { field: 'file_size', value: 0 },
    });
  });

  it.each([
    ['malformed JSON', '{"filename": "a', 'INVALID_JSON'],
    ['a JSON array', '[1,2]', 'INVALID_JSON'],
    ['a JSON string', '"text"', 'INVALID_JSON'],
    ['an empty body', '', 'INVALID_JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 'INVALID_JSON'],
    ['a missing field', json({ filename: 'a', file_size: 1 }), 'MISSING_REQUIRED_FIELD'],
    ['an unknown field', json({ ...valid, folder: 'x' }), 'UNKNOWN_FIELD'],
    ['a bad filename', json({ ...valid, filename: '../etc/passwd' }), 'INVALID_FIELD_VALUE'],
    ['a bad MIME type', json({ ...valid, mime_type: 'mp4' }), 'INVALID_FIELD_VALUE'],
    ['a file over 5 GiB', json({ ...valid, file_size: 5368709121 }), 'FILE_TOO_LARGE'],
  ])('400 for %s', async (_name, body, code) => {
    const answer = await call({ body });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
  });

  it('400 INVALID_FIELD_VALUE for text that is not well-formed Unicode, in any field, never 500', async () => {
    const bodies: [string, string][] = [
      ['filename', '{"filename":"a\\ud800.txt","file_size":10,"mime_type":"text/plain"}'],
      ['filename', '{"filename":"a\\udfff\\ud800.txt","file_size":10,"mime_type":"text/plain"}'],
      ['mime_type', '{"filename":"a.txt","file_size":10,"mime_type":"text/pl\\udc00ain"}'],
      ['crc32c', '{"filename":"a.txt","file_size":10,"mime_type":"text/plain","crc32c":"\\ud800"}'],
    ];
    for (const [field, body] of bodies) {
      const answer = await call({ body });
      expect([answer.status, answer.body.error.code, answer.body.error.details.field]).toEqual([400, 'INVALID_FIELD_VALUE', field]);
    }
    const unknown = await call({ body: '{"filename":"a.txt","file_size":10,"mime_type":"text/plain","x\\ud800":1}' });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'INVALID_FIELD_VALUE']);
    const register = await call({
      path: `/v1/organizations/${stack.organizationId}/files`,
      body: '{"filename":"a\\ud800.txt","gcs_path":"x","file_size":10,"mime_type":"text/plain"}',
    });
    expect([register.status, register.body.error.code, register.body.error.details.field]).toEqual([
      400,
      'INVALID_FIELD_VALUE',
      'filename',
    ]);
    // A well-formed pair is text like any other.
    const pair = await fetch(stack.uploadUrl(), {
      method: 'POST',
      headers: withKey(stack.apiKey),
      body: '{"filename":"a\\ud83d\\ude00.txt","file_size":10,"mime_type":"text/plain"}',
    });
    expect(pair.status).toBe(200);
  });

  it('keeps direction controls out of the object name, and the filename as given in the record', async () => {
    const response = await fetch(stack.uploadUrl(), {
      method: 'POST',
      headers: withKey(stack.apiKey),
      body: json({ ...valid, filename: 'invoice\u202efdp.exe' }),
    });
    expect(response.status).toBe(200);
    const session = (await response.json()) as { gcs_path: string; file_id: string };
    expect(session.gcs_path).toBe(`files/${stack.organizationId}/${session.file_id}/invoice_fdp.exe`);
    const record = await stack.db.doc(`organizations/${stack.organizationId}/files/${session.file_id}`).get();
    expect(record.get('original_filename')).toBe('invoice\u202efdp.exe');
  });

  it('malformed JSON never meets the framework’s HTML error page', async () => {
    const response = await fetch(stack.uploadUrl(), { method: 'POST', headers: withKey(stack.apiKey), body: '{bad' });
    const text = await response.text();
    expect(text).not.toMatch(/<html|<pre>|at JSON\.parse|node_modules/i);
  });

  it('401 for every key problem', async () => {
    const { apiKey: paused, keyId: pausedId } = await seedMember(stack.db, stack.organizationId, 'usr_paused');
    await setKeyStatus(stack.db, pausedId, 'pause');
    const { apiKey: revoked, keyId: revokedId } = await seedMember(stack.db, stack.organizationId, 'usr_revoked');
    await setKeyStatus(stack.db, revokedId, 'revoke');
    const expired = (await createApiKey(stack.db, 'usr_expired', { expiresAt: '2020-01-01T00:00:00.000Z' })).api_key;
    const unknown = 'ak_' + 'A'.repeat(43);
    const cases: [Record<string, string>, string][] = [
      [{ 'Content-Type': 'application/json' }, 'AUTHENTICATION_REQUIRED'],
      [withKey('not-a-key'), 'INVALID_API_KEY'],
      [withKey(unknown), 'INVALID_API_KEY'],
      [withKey(paused), 'API_KEY_PAUSED'],
      [withKey(revoked), 'API_KEY_DEACTIVATED'],
      [withKey(expired), 'API_KEY_EXPIRED'],
    ];
    for (const [headers, code] of cases) {
      const answer = await call({ headers, body: json(valid) });
      expect([answer.status, answer.body.error.code]).toEqual([401, code]);
    }
  });

  it('401 comes before anything about the body', async () => {
    const answer = await call({ headers: { 'Content-Type': 'application/json' }, body: '{bad' });
    expect(answer.body.error.code).toBe('AUTHENTICATION_REQUIRED');
  });

  it('403 ORGANIZATION_ACCESS_DENIED for another organization, existing or not, alike', async () => {
    await seedMember(stack.db, 'org_other', 'usr_bob');
    const existing = await call({ path: `/v1/organizations/org_other/files/upload-url`, body: json(valid) });
    const missing = await call({ path: `/v1/organizations/org_nowhere/files/upload-url`, body: json(valid) });
    for (const [answer, org] of [
      [existing, 'org_other'],
      [missing, 'org_nowhere'],
    ] as const) {
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('ORGANIZATION_ACCESS_DENIED');
      expect(answer.body.error.message).toBe('You do not have access to this organization');
      expect(answer.body.error.details).toEqual({ organization_id: org });
    }
    const count = await stack.db.collection('organizations/org_other/files').count().get();
    expect(count.data().count).toBe(0);
  });

  it('404 NOT_FOUND for unknown routes, and the paths the framework would swallow', async () => {
    const paths = [
      '/',
      '/v1/organizations/org_123/folders',
      '/favicon.ico',
      '/robots.txt',
      '/favicon.ico/',
      '/FAVICON.ICO',
      '/Robots.TXT?x=1',
      '/robots.txt/x',
      '/favicon.ico/v1/organizations/org_123/files',
      '/v1/organizations/%E0%A4%A/files',
      '/v1/organizations/org_123/files/%',
      '/v1/organizations/org_123/files/%ZZ',
    ];
    for (const path of paths) {
      for (const method of ['GET', 'POST']) {
        const answer = await call({ method, path, body: method === 'POST' ? json(valid) : undefined });
        expect([path, method, answer.status, answer.body.error.code]).toEqual([path, method, 404, 'NOT_FOUND']);
      }
    }
  });

  it('405 METHOD_NOT_ALLOWED with Allow', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const answer = await call({ method });
      expect([answer.status, answer.body.error.code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
      expect(answer.headers.get('allow')).toBe('POST');
    }
  });

  it('409 IDEMPOTENCY_KEY_REUSED for one key with two bodies', async () => {
    const headers = { ...withKey(stack.apiKey), 'Idempotency-Key': 'errors-409' };
    const first = await fetch(stack.uploadUrl(), { method: 'POST', headers, body: json(valid) });
    expect(first.status).toBe(200);
    const answer = await call({ headers, body: json({ ...valid, file_size: 1 }) });
    expect([answer.status, answer.body.error.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
  });

  it('413 PAYLOAD_TOO_LARGE over 64 KiB', async () => {
    const answer = await call({ body: json({ ...valid, filename: 'x'.repeat(70_000) }) });
    expect([answer.status, answer.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('413 at once from Content-Length, without reading the body', async () => {
    const port = Number(new URL(stack.api.url).port);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/organizations/org_123/files/upload-url',
          headers: { 'Content-Type': 'application/json', 'Content-Length': String(1024 ** 3) },
        },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // Only a few bytes of the announced gigabyte are ever sent.
      req.write('{"filename":');
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('415 UNSUPPORTED_MEDIA_TYPE for a body that is not JSON', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16']) {
      const answer = await call({ headers: { 'X-API-Key': stack.apiKey, 'Content-Type': type }, body: json(valid) });
      expect([answer.status, answer.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
  });

  it('carries the caller’s trace id', async () => {
    const answer = await call({
      headers: { ...withKey(stack.apiKey), 'X-Cloud-Trace-Context': '0123456789abcdef0123456789abcdef/1;o=1' },
      body: json({ ...valid, file_size: 0 }),
    });
    expect(answer.body.error.trace_id).toBe('0123456789abcdef0123456789abcdef');
    expect(stdout.text()).toContain(`"logging.googleapis.com/trace":"projects/${stack.projectId}/traces/0123456789abcdef0123456789abcdef"`);
  });
});

describe('logs', () => {
  it('are one JSON line per request, with no key, session URI or body in them', async () => {
    stdout.clear();
    const ok = await fetch(stack.uploadUrl(), {
      method: 'POST',
      headers: withKey(stack.apiKey),
      body: json({ ...valid, filename: 'secret-plans.mp4' }),
    });
    const session = (await ok.json()) as { upload_url: string };
    await fetch(stack.uploadUrl(), { method: 'POST', headers: withKey(stack.apiKey), body: '{"filename": "secret-plans' });
    const lines = stdout
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const requests = lines.filter((l) => l.httpRequest);
    expect(requests).toHaveLength(2);
    expect(requests.map((l) => [l.severity, l.httpRequest.status])).toEqual([
      ['INFO', 200],
      ['WARNING', 400],
    ]);
    expect(requests[0].httpRequest.latency).toMatch(/^\d+\.\d+s$/);
    const uploadId = new URL(session.upload_url).searchParams.get('upload_id') as string;
    for (const secret of [stack.apiKey, uploadId, 'secret-plans']) expect(stdout.text()).not.toContain(secret);
  });
});
