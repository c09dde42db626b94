import { MemoryBackends } from '../../functions/adapters/in-memory';
import { loadConfig } from '../../functions/config';
import { BackgroundWork } from '../../functions/domain/background-work';
import { ApiError } from '../../functions/errors/api-error';
import { createUploadUrl } from '../../functions/endpoints/upload-url/create-upload-url';
import { validUploadUrlRequest } from '../../functions/endpoints/upload-url/validate-request';
import { validateUploadUrlResponse } from '../../functions/generated/validators';

const caller = { principalId: 'usr_1', keyId: 'key_1' };
const valid = { filename: 'large_video.mp4', file_size: 524288000, mime_type: 'video/mp4' };

function setup(env: Record<string, string> = {}) {
  const backends = new MemoryBackends();
  const deps = {
    config: loadConfig({ FILES_BUCKET: 'bkt', ...env }),
    records: backends,
    sessions: backends,
    quotas: backends,
    background: new BackgroundWork(() => undefined),
  };
  const call = (body: unknown, extra: { idempotencyKey?: string; origin?: string } = {}) =>
    createUploadUrl(deps, { organizationId: 'org_123', caller, body, ...extra });
  return { backends, call };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('upload-url request rules', () => {
  const { call } = setup();

  it('answers file_size 0 exactly as the seed does', async () => {
    const error = await rejection(call({ ...valid, file_size: 0 }));
    expect({ status: error.status, code: error.code, message: error.message, details: error.details }).toEqual({
      status: 400,
      code: 'INVALID_FIELD_VALUE',
      message: 'File size must be greater than 0',
      details: { field: 'file_size', value: 0 },
    });
  });

  it.each([
    ['not an object', [], 'INVALID_JSON', undefined],
    ['null', null, 'INVALID_JSON', undefined],
    ['missing filename', { file_size: 1, mime_type: 'a/b' }, 'MISSING_REQUIRED_FIELD', 'filename'],
    ['missing file_size', { filename: 'a', mime_type: 'a/b' }, 'MISSING_REQUIRED_FIELD', 'file_size'],
    ['missing mime_type', { filename: 'a', file_size: 1 }, 'MISSING_REQUIRED_FIELD', 'mime_type'],
    ['unknown field', { ...valid, owner: 'me' }, 'UNKNOWN_FIELD', 'owner'],
    ['empty filename', { ...valid, filename: '' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['256-character filename', { ...valid, filename: 'a'.repeat(256) }, 'INVALID_FIELD_VALUE', 'filename'],
    ['filename with /', { ...valid, filename: 'a/b.mp4' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['filename with \\', { ...valid, filename: 'a\\b.mp4' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['filename with a control character', { ...valid, filename: 'a\u0000b' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['filename with a C1 control', { ...valid, filename: 'a\u0085b' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['filename .', { ...valid, filename: '.' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['filename ..', { ...valid, filename: '..' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['filename not a string', { ...valid, filename: 42 }, 'INVALID_FIELD_VALUE', 'filename'],
    ['negative file_size', { ...valid, file_size: -1 }, 'INVALID_FIELD_VALUE', 'file_size'],
    ['fractional file_size', { ...valid, file_size: 1.5 }, 'INVALID_FIELD_VALUE', 'file_size'],
    ['file_size as a string', { ...valid, file_size: '100' }, 'INVALID_FIELD_VALUE', 'file_size'],
    ['file_size over 5 GiB', { ...valid, file_size: 5368709121 }, 'FILE_TOO_LARGE', 'file_size'],
    ['mime_type without subtype', { ...valid, mime_type: 'video' }, 'INVALID_FIELD_VALUE', 'mime_type'],
    ['mime_type with spaces', { ...valid, mime_type: 'video/ mp4' }, 'INVALID_FIELD_VALUE', 'mime_type'],
    ['mime_type over 255', { ...valid, mime_type: `text/plain; a=${'b'.repeat(250)}` }, 'INVALID_FIELD_VALUE', 'mime_type'],
    ['upload_type unknown', { ...valid, upload_type: 'multipart' }, 'INVALID_FIELD_VALUE', 'upload_type'],
    ['crc32c not base64 of 4 bytes', { ...valid, crc32c: 'abc' }, 'INVALID_FIELD_VALUE', 'crc32c'],
    ['md5_hash hex instead of base64', { ...valid, md5_hash: 'd41d8cd98f00b204e9800998ecf8427e' }, 'INVALID_FIELD_VALUE', 'md5_hash'],
  ])('refuses %s', async (_name, body, code, field) => {
    const error = await rejection(call(body));
    expect(error.status).toBe(400);
    expect(error.code).toBe(code);
    if (field) expect(error.details.field).toBe(field);
  });

  it('says the limit when the file is too large', async () => {
    const error = await rejection(call({ ...valid, file_size: 5368709121 }));
    expect(error.details).toEqual({ field: 'file_size', value: 5368709121, max_file_size: 5368709120 });
  });

  it('honours a lower configured limit', async () => {
    const error = await rejection(setup({ MAX_FILE_SIZE: '1000' }).call({ ...valid, file_size: 1001 }));
    expect(error.code).toBe('FILE_TOO_LARGE');
    expect(error.details.max_file_size).toBe(1000);
  });

  it('counts 255 characters after NFC, not code units or bytes', async () => {
    const decomposed = 'e\u0301'.repeat(255); // 510 code points, 255 once composed
    await expect(call({ ...valid, filename: decomposed })).resolves.toBeDefined();
    await expect(call({ ...valid, filename: '😀'.repeat(255) })).resolves.toBeDefined();
  });

  it('accepts the boundaries and the optional fields', async () => {
    await expect(call({ ...valid, file_size: 1 })).resolves.toBeDefined();
    await expect(call({ ...valid, file_size: 5368709120 })).resolves.toBeDefined();
    await expect(
      call({
        ...valid,
        upload_type: 'simple',
        crc32c: 'AAAAAA==',
        md5_hash: '1B2M2Y8AsgTpgAmY7PhCfg==',
        mime_type: 'text/plain; charset="utf-8"',
      }),
    ).resolves.toBeDefined();
  });

  it('fills the default and NFC into a copy, leaving the parsed body as it came', () => {
    const body = { ...valid, filename: 'Cafe\u0301.mp4', mime_type: 'Video/MP4' };
    const sent = { ...body };
    expect(validUploadUrlRequest(body, 5368709120)).toEqual({
      ...valid,
      filename: 'Caf\u00e9.mp4',
      mime_type: 'video/mp4',
      upload_type: 'resumable',
    });
    expect(body).toEqual(sent);
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const error = await rejection(call(valid, { idempotencyKey: 'has space' }));
    expect(error.details.field).toBe('Idempotency-Key');
  });
});

describe('upload-url answer and record', () => {
  it('answers exactly the seven fields, and records every File field', async () => {
    const { backends, call } = setup();
    const answer = await call(
      { ...valid, filename: 'My Video #1.MP4', mime_type: 'Video/MP4', upload_type: 'simple' },
      { origin: 'https://app.example' },
    );
    expect(validateUploadUrlResponse(answer)).toBe(true);
    expect(Object.keys(answer).sort()).toEqual(
      ['chunk_size_recommended', 'expires_at', 'file_id', 'gcs_path', 'max_file_size', 'upload_type', 'upload_url'].sort(),
    );
    expect(answer).toMatchObject({ upload_type: 'resumable', max_file_size: 5368709120, chunk_size_recommended: 5242880 });
    expect(answer.gcs_path).toBe(`files/org_123/${answer.file_id}/My Video _1.MP4`);
    expect(answer.file_id).toMatch(/^file_[A-Za-z0-9]{24}$/);
    const expiresIn = Date.parse(answer.expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(7 * 86400_000 - 5000);
    expect(expiresIn).toBeLessThanOrEqual(7 * 86400_000);
    expect(answer.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    await new Promise((r) => setImmediate(r));
    const record = backends.files.get(`org_123/${answer.file_id}`);
    expect(record).toMatchObject({
      id: answer.file_id,
      object: 'file',
      organization_id: 'org_123',
      original_filename: 'My Video #1.MP4',
      mime_type: 'video/mp4',
      storage_path: answer.gcs_path,
      status: 'uploading',
      uploaded_by: 'usr_1',
      uploaded_by_api_key_id: 'key_1',
      uploaded_at: null,
      expires_at: answer.expires_at,
      session_uri: answer.upload_url,
    });
    expect(backends.sessions.get(answer.upload_url)).toEqual({
      objectName: answer.gcs_path,
      contentType: 'video/mp4',
      size: 524288000,
      crc32c: undefined,
      md5Hash: undefined,
      origin: 'https://app.example',
      metadata: { file_id: answer.file_id, organization_id: 'org_123' },
    });
  });

  it('gives every session its own unguessable id', async () => {
    const { call } = setup();
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) ids.add((await call(valid)).file_id);
    expect(ids.size).toBe(200);
  });
});
