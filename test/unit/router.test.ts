import { ApiError } from '../../functions/errors/api-error';
import { route, type RouteName } from '../../functions/http/router';

const ALL = new Set<RouteName>(['upload-url', 'files', 'file']);

function failure(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a failure');
}

describe('route', () => {
  it('matches with or without a gateway prefix and a trailing slash', () => {
    expect(route('POST', '/v1/organizations/org_1/files/upload-url', ALL)).toEqual({ name: 'upload-url', organizationId: 'org_1' });
    expect(route('POST', '/files-api/v1/organizations/org_1/files/upload-url/?x=1', ALL).name).toBe('upload-url');
    expect(route('GET', '/v1/organizations/org_1/files/file_9', ALL)).toEqual({ name: 'file', organizationId: 'org_1', fileId: 'file_9' });
  });

  it('answers 405 with Allow for a known route', () => {
    const error = failure(() => route('GET', '/v1/organizations/o/files/upload-url', ALL));
    expect(error.status).toBe(405);
    expect(error.headers.Allow).toBe('POST');
  });

  it('answers 404 for unknown and not yet implemented routes', () => {
    expect(failure(() => route('GET', '/', ALL)).code).toBe('NOT_FOUND');
    expect(failure(() => route('GET', '/v1/organizations/o/files', new Set(['upload-url']))).code).toBe('NOT_FOUND');
    expect(failure(() => route('POST', '/v1/organizations/%E0%A4%A/files/upload-url', ALL)).code).toBe('NOT_FOUND');
  });
});
