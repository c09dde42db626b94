import { toFileObject } from '../../functions/domain/file-record';
import { record } from '../support/file-record';
import { createAnswerChecker, type Answer } from './openapi-answers';

const check = createAnswerChecker();
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 't-1' };
const envelope = (status: number, code: string) => ({
  success: false,
  error: {
    code,
    message: 'm',
    type: status >= 500 ? 'server_error' : 'client_error',
    status,
    details: {},
    trace_id: 't-1',
    timestamp: '2026-01-01T00:00:00Z',
  },
});
const file = toFileObject(record('org_1', 'file_abc', { file_size: 1 }));
const answer = (over: Partial<Answer>): Answer => ({
  method: 'GET',
  url: '/v1/organizations/org_1/files/file_abc',
  status: 200,
  headers: HEADERS,
  body: json(file),
  ...over,
});

describe('the answer checker the integration tests run every answer through', () => {
  it('accepts answers the contract declares', () => {
    expect(check(answer({}))).toEqual([]);
    expect(check(answer({ status: 404, body: json(envelope(404, 'FILE_NOT_FOUND')) }))).toEqual([]);
    expect(check(answer({ method: 'DELETE', status: 204, headers: { 'x-request-id': 't' }, body: Buffer.alloc(0) }))).toEqual([]);
    expect(check(answer({ url: '/nowhere', status: 404, body: json(envelope(404, 'NOT_FOUND')) }))).toEqual([]);
    expect(
      check(
        answer({
          method: 'PUT',
          status: 405,
          headers: { ...HEADERS, allow: 'GET, DELETE' },
          body: json(envelope(405, 'METHOD_NOT_ALLOWED')),
        }),
      ),
    ).toEqual([]);
    expect(
      check(
        answer({
          url: '/v1/organizations/org_1/files?page=2',
          body: json({ files: [file], total: 1, page: 2, limit: 50, has_more: false }),
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a body that breaks the schema of its operation and status', () => {
    const { mime_type: _dropped, ...incomplete } = file;
    expect(check(answer({ body: json(incomplete) }))[0]).toMatch(/getFile .* -> 200: .*mime_type/);
    expect(check(answer({ body: json({ ...file, secret: 'x' }) }))[0]).toMatch(/additional properties/);
    expect(check(answer({ body: Buffer.from('<html>') }))[0]).toMatch(/not JSON/);
  });

  it('refuses a status the operation does not declare, and a code its status does not have', () => {
    expect(check(answer({ status: 201 }))[0]).toMatch(/declares no 201/);
    expect(check(answer({ status: 404, body: json(envelope(404, 'UPLOAD_INCOMPLETE')) }))[0]).toMatch(/code/);
    expect(check(answer({ status: 404, body: json({ ...envelope(404, 'NOT_FOUND'), extra: 1 }) }))[0]).toMatch(/additional/);
    expect(check(answer({ status: 409, body: json(envelope(409, 'FILE_STATE_CONFLICT')) }))[0]).toMatch(/declares no 409/);
    expect(check(answer({ status: 400, body: json(envelope(403, 'INVALID_JSON')) }))).not.toEqual([]);
  });

  it('refuses routing answers that are not the routing envelope, and answers without X-Request-Id', () => {
    expect(check(answer({ url: '/nowhere', status: 200 }))[0]).toMatch(/must answer 404 NOT_FOUND/);
    expect(check(answer({ method: 'PUT', status: 405, body: json(envelope(405, 'METHOD_NOT_ALLOWED')) }))[0]).toMatch(/Allow/);
    expect(check(answer({ headers: { 'content-type': 'application/json' } }))[0]).toMatch(/X-Request-Id/);
    expect(check(answer({ method: 'DELETE', status: 204, body: Buffer.from('{}') }))[0]).toMatch(/a body where/);
  });
});
