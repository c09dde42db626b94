import { ApiError } from '../../functions/errors/api-error';
import { OPERATIONS } from '../../functions/generated/operations';
import { createRouter } from '../../functions/http/router';

const router = createRouter(OPERATIONS);

function failure(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a failure');
}

describe('the router built from the contract', () => {
  it('matches with or without a gateway prefix, a trailing slash and a query', () => {
    expect(router.route('POST', '/v1/organizations/org_1/files/upload-url')).toEqual({
      operation: expect.objectContaining({ id: 'createUploadUrl', handler: 'upload-url' }),
      params: { organization_id: 'org_1' },
    });
    expect(router.route('POST', '/files-api/v1/organizations/org_1/files/upload-url/?x=1').operation.id).toBe('createUploadUrl');
    expect(router.route('GET', '/v1/organizations/org_1/files/file_9')).toEqual({
      operation: expect.objectContaining({ id: 'getFile' }),
      params: { organization_id: 'org_1', file_id: 'file_9' },
    });
    expect(router.route('GET', '/v1/organizations/org_1/files/file_9/download-url?disposition=attachment').operation.id).toBe(
      'getDownloadUrl',
    );
    expect(router.route('GET', '/v1/organizations/org_1/files?page=2').operation.id).toBe('listFiles');
    expect(router.route('POST', '/v1/organizations/org_1/files').operation.id).toBe('registerFile');
    expect(router.route('DELETE', '/v1/organizations/org_1/files/file_9').operation.id).toBe('deleteFile');
  });

  it('decodes path parameters', () => {
    expect(router.route('GET', '/v1/organizations/org%5F1/files/file_9').params).toEqual({ organization_id: 'org_1', file_id: 'file_9' });
  });

  it("answers 405 with the path's methods in Allow", () => {
    const error = failure(() => router.route('GET', '/v1/organizations/o/files/upload-url'));
    expect(error.status).toBe(405);
    expect(error.headers.Allow).toBe('POST');
    expect(failure(() => router.route('PUT', '/v1/organizations/o/files/file_1')).headers.Allow).toBe('GET, PATCH, DELETE');
    expect(failure(() => router.route('DELETE', '/v1/organizations/o/files')).headers.Allow).toBe('POST, GET');
  });

  it('answers 404 for unknown paths, undecodable segments, and operations it was not given', () => {
    expect(failure(() => router.route('GET', '/')).code).toBe('NOT_FOUND');
    expect(failure(() => router.route('GET', '/v1/organizations//files')).code).toBe('NOT_FOUND');
    expect(failure(() => router.route('GET', '/v1/organizations/o/files/a/b/c')).code).toBe('NOT_FOUND');
    expect(failure(() => router.route('POST', '/v1/organizations/%E0%A4%A/files/upload-url')).code).toBe('NOT_FOUND');
    const uploadsOnly = createRouter(OPERATIONS.filter((op) => op.id === 'createUploadUrl'));
    expect(failure(() => uploadsOnly.route('GET', '/v1/organizations/o/files')).code).toBe('NOT_FOUND');
    expect(uploadsOnly.routes).toEqual([
      { method: 'POST', path: '/v1/organizations/{organization_id}/files/upload-url', operationId: 'createUploadUrl' },
    ]);
  });
});
