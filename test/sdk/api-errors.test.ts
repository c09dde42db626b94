import { FilesApiError, FilesClient, type ByteSource } from '@files-api/sdk';
import { freePort } from '../../emulator/free-port';
import { setKeyStatus } from '../../scripts/admin/api-keys';
import { startFilesApi, type RunningApi } from '../support/files-api-server';
import { emulatorHosts, seedMember, startStack, type Stack } from '../support/stack';

// Every kind of API refusal reaches the caller as one FilesApiError with the envelope's facts.
let stack: Stack;
let client: FilesClient;
const clientWith = (overrides: Partial<ConstructorParameters<typeof FilesClient>[0]>) =>
  new FilesClient({
    baseUrl: stack.api.url,
    apiKey: stack.apiKey,
    organizationId: stack.organizationId,
    retry: { retries: 1, baseDelayMs: 10 },
    ...overrides,
  });

beforeAll(async () => {
  stack = await startStack(__filename);
  client = clientWith({});
});
afterAll(() => stack.close());

async function apiError(call: Promise<unknown>): Promise<FilesApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FilesApiError);
  const apiError = error as FilesApiError;
  expect(apiError.traceId).toMatch(/\S/);
  return apiError;
}

const PNG = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  0,
  0,
  0,
  0x0d,
  0x49,
  0x48,
  0x44,
  0x52,
  ...new Array(2000).fill(1),
]);

/** A source that claims a size and is never read (the API refuses before any byte moves). */
const unread = (size: number): ByteSource => ({ size, seekable: true, read: () => Promise.reject(new Error('must not be read')) });

describe('API errors surface as FilesApiError', () => {
  it('401 INVALID_API_KEY and API_KEY_PAUSED', async () => {
    expect(await apiError(clientWith({ apiKey: 'ak_not-a-key' }).getFile('file_abc'))).toMatchObject({
      code: 'INVALID_API_KEY',
      status: 401,
    });
    const paused = await seedMember(stack.db, stack.organizationId, 'usr_paused');
    await setKeyStatus(stack.db, paused.keyId, 'pause');
    expect(await apiError(clientWith({ apiKey: paused.apiKey }).getFile('file_abc'))).toMatchObject({
      code: 'API_KEY_PAUSED',
      status: 401,
    });
  });

  it('403 ORGANIZATION_ACCESS_DENIED, and 403 QUOTA_EXCEEDED with its limit', async () => {
    expect(await apiError(clientWith({ organizationId: 'org_not_mine' }).listFiles().next())).toMatchObject({
      code: 'ORGANIZATION_ACCESS_DENIED',
      status: 403,
    });
    const member = await seedMember(stack.db, 'org_quota', 'usr_quota');
    await stack.db.doc('organizations/org_quota').update({ limits: { max_stored_bytes: 100 } });
    const quota = await apiError(
      clientWith({ organizationId: 'org_quota', apiKey: member.apiKey }).uploadFile(new Blob([new Uint8Array(101)]), { filename: 'q.bin' }),
    );
    expect(quota).toMatchObject({ code: 'QUOTA_EXCEEDED', status: 403, details: expect.objectContaining({ limit: 100 }) });
  });

  it('404 FILE_NOT_FOUND', async () => {
    expect(await apiError(client.getFile('file_doesnotexist'))).toMatchObject({ code: 'FILE_NOT_FOUND', status: 404 });
    expect(await apiError(client.getDownloadUrl('file_doesnotexist'))).toMatchObject({ code: 'FILE_NOT_FOUND', status: 404 });
  });

  it('400 INVALID_FIELD_VALUE and FILE_TOO_LARGE, before a byte is read', async () => {
    // A session (chunkSize asks for one) is started before any byte is read; a direct upload sends them.
    const invalid = await apiError(client.uploadFile(unread(10), { filename: '..', crc32c: false, chunkSize: 256 * 1024 }));
    expect(invalid).toMatchObject({ code: 'INVALID_FIELD_VALUE', status: 400, details: expect.objectContaining({ field: 'filename' }) });
    const large = await apiError(client.uploadFile(unread(6 * 1024 ** 3), { filename: 'huge.bin', crc32c: false }));
    expect(large).toMatchObject({ code: 'FILE_TOO_LARGE', status: 400, details: expect.objectContaining({ max_file_size: 5368709120 }) });
  });

  it('409 IDEMPOTENCY_KEY_REUSED and FILE_STATE_CONFLICT', async () => {
    const first = await client.createUploadSession(
      { filename: 'a.bin', file_size: 5, mime_type: 'application/octet-stream' },
      { idempotencyKey: 'key-sdk-1' },
    );
    const again = await client.createUploadSession(
      { filename: 'a.bin', file_size: 5, mime_type: 'application/octet-stream' },
      { idempotencyKey: 'key-sdk-1' },
    );
    expect(again.upload_url).toBe(first.upload_url);
    const reused = await apiError(
      client.createUploadSession(
        { filename: 'b.bin', file_size: 5, mime_type: 'application/octet-stream' },
        { idempotencyKey: 'key-sdk-1' },
      ),
    );
    expect(reused).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 409 });
    await client.deleteFile(first.file_id);
    expect(await apiError(client.registerUpload(first))).toMatchObject({ code: 'FILE_STATE_CONFLICT', status: 409 });
  });

  it('422 UPLOAD_VERIFICATION_FAILED from register, with what storage holds', async () => {
    const failed = await apiError(client.uploadFile(new Blob([PNG]), { filename: 'report.pdf', mimeType: 'application/pdf' }));
    expect(failed).toMatchObject({
      code: 'UPLOAD_VERIFICATION_FAILED',
      status: 422,
      details: { field: 'content', expected: 'application/pdf', actual: 'image/png' },
    });
  });

  it('503 SERVICE_UNAVAILABLE after a retry, with Retry-After', async () => {
    let api: RunningApi | undefined;
    try {
      api = await startFilesApi({
        FIRESTORE_EMULATOR_HOST: emulatorHosts().firestore,
        STORAGE_EMULATOR_HOST: `http://127.0.0.1:${await freePort()}`,
        GOOGLE_CLOUD_PROJECT: stack.projectId,
        FILES_BUCKET: stack.bucket,
        BACKEND_TIMEOUT_MS: '1000',
      });
      let calls = 0;
      const counting: typeof fetch = (input, init) => {
        calls++;
        return fetch(input, init);
      };
      // One retry: the answer's Retry-After (5 s) is the floor of each wait, whatever the backoff says.
      const down = clientWith({ baseUrl: api.url, fetch: counting, retry: { retries: 1, baseDelayMs: 10 } });
      const unavailable = await apiError(
        down.createUploadSession({ filename: 'x.bin', file_size: 5, mime_type: 'application/octet-stream' }),
      );
      expect(unavailable).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
      expect(unavailable.retryAfterSeconds).toBeGreaterThan(0);
      expect(calls).toBe(2);
    } finally {
      await api?.close();
    }
  });

  it('an answer that is not an envelope is UNEXPECTED_RESPONSE, not a crash', async () => {
    const notTheApi = clientWith({ baseUrl: emulatorHosts().storage });
    expect(await notTheApi.getFile('file_abc').catch((e) => e)).toMatchObject({
      name: 'FilesApiError',
      code: 'UNEXPECTED_RESPONSE',
      status: 404,
    });
  });
});
