// What npm start shows of a function's log line (the stack's own lines: test/start/running-stack.test.ts).
import { shortLine } from '../../scripts/local-stack/request-lines';

const AT = new Date(2026, 0, 2, 9, 5, 7);

describe('shortLine', () => {
  it('turns a request line into time, method, path, status, code and duration', () => {
    const line = JSON.stringify({
      severity: 'WARNING',
      message: 'GET /v1/organizations/org_demo/files/file_x 404 FILE_NOT_FOUND',
      httpRequest: { requestMethod: 'GET', requestUrl: '/v1/organizations/org_demo/files/file_x', status: 404, latency: '0.012345s' },
      error_code: 'FILE_NOT_FOUND',
      trace_id: 'abc',
    });
    expect(shortLine(line, AT)).toBe('09:05:07 GET /v1/organizations/org_demo/files/file_x 404 FILE_NOT_FOUND 12 ms');
  });

  it('keeps other lines short, and plain text as it is', () => {
    expect(shortLine(JSON.stringify({ severity: 'ERROR', message: 'background work failed: x', error: { a: 1 } }), AT)).toBe(
      '09:05:07 ERROR background work failed: x',
    );
    expect(shortLine('Error: something plain', AT)).toBe('Error: something plain');
  });
});
