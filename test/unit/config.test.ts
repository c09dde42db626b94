import { ConfigError, loadConfig } from '../../functions/config';
import { DIRECT_UPLOAD_MAX_FILE_BYTES } from '@files-api/sdk';

describe('loadConfig', () => {
  it('has the spec defaults', () => {
    const config = loadConfig({ FILES_BUCKET: 'my-bucket' });
    expect(config).toMatchObject({
      bucket: 'my-bucket',
      sessionTtlSeconds: 604800,
      maxFileSize: 5368709120,
      chunkSizeRecommended: 5242880,
      authCacheTtlMs: 10000,
      maxBodyBytes: 65536,
    });
  });

  it('names every wrong variable on a line of its own', () => {
    let error: unknown;
    try {
      loadConfig({ FILES_BUCKET: 'B!', MAX_FILE_SIZE: '6000000000', CHUNK_SIZE_RECOMMENDED: '1000000', AUTH_CACHE_TTL_SECONDS: 'soon' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/FILES_BUCKET[\s\S]*CHUNK_SIZE_RECOMMENDED[\s\S]*MAX_FILE_SIZE[\s\S]*AUTH_CACHE_TTL_SECONDS/);
  });

  it('never promises a session longer than the week Cloud Storage gives', () => {
    expect(() => loadConfig({ FILES_BUCKET: 'bkt', UPLOAD_SESSION_TTL_SECONDS: '604801' })).toThrow(/UPLOAD_SESSION_TTL_SECONDS/);
  });

  it('caps a direct upload under the 32 MB Cloud Run functions and API Gateway accept, 30 MiB by default', () => {
    expect(loadConfig({ FILES_BUCKET: 'bkt' }).directUploadMaxBytes).toBe(30 * 1024 * 1024);
    expect(loadConfig({ FILES_BUCKET: 'bkt', DIRECT_UPLOAD_MAX_BYTES: '32000000' }).directUploadMaxBytes).toBe(32_000_000);
    expect(() => loadConfig({ FILES_BUCKET: 'bkt', DIRECT_UPLOAD_MAX_BYTES: '32000001' })).toThrow(/DIRECT_UPLOAD_MAX_BYTES.*32 MB/);
  });

  it("matches the SDK's exported direct-upload cap: a file at it, in its form, fits the function's default body cap", () => {
    // The form's framing: boundaries, part headers (a long filename), the purpose and metadata fields.
    const framing = 8 * 1024;
    expect(DIRECT_UPLOAD_MAX_FILE_BYTES + framing).toBeLessThanOrEqual(loadConfig({ FILES_BUCKET: 'bkt' }).directUploadMaxBytes);
    expect(DIRECT_UPLOAD_MAX_FILE_BYTES).toBeGreaterThan(29 * 1024 * 1024);
  });

  it('signs content URLs for an hour unless told otherwise', () => {
    expect(loadConfig({ FILES_BUCKET: 'bkt' }).contentUrlTtlSeconds).toBe(3600);
    expect(loadConfig({ FILES_BUCKET: 'bkt', CONTENT_URL_TTL_SECONDS: '60' }).contentUrlTtlSeconds).toBe(60);
    expect(() => loadConfig({ FILES_BUCKET: 'bkt', CONTENT_URL_TTL_SECONDS: '604801' })).toThrow(/CONTENT_URL_TTL_SECONDS/);
  });
});
