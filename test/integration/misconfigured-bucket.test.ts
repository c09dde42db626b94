import { validateErrorEnvelope } from '../../functions/generated/validators';
import { captureStdout } from '../support/captured-stdout';
import { startStack, type Stack } from '../support/stack';

// A deployment whose FILES_BUCKET names no bucket: upload-url cannot start a
// session. The caller gets the documented 503 to retry once an operator has
// fixed it (not a 500, which says the code has a bug), no record is left
// behind, and the log names the cause without the caller's filename.
let stack: Stack;
let stdout: ReturnType<typeof captureStdout>;

beforeAll(async () => {
  stack = await startStack(__filename, { FILES_BUCKET: 'no-such-bucket-anywhere' });
  stdout = captureStdout();
});
afterAll(async () => {
  jest.restoreAllMocks();
  await stack.close();
});

it('answers 503 SERVICE_UNAVAILABLE with Retry-After, leaves no record, and logs BUCKET_NOT_FOUND', async () => {
  const response = await fetch(stack.uploadUrl(), {
    method: 'POST',
    headers: { 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filename: 'secret-plans.pdf', file_size: 1000, mime_type: 'application/pdf' }),
  });
  const body = (await response.json()) as { error: { code: string } };
  expect(response.status).toBe(503);
  expect(validateErrorEnvelope(body)).toBe(true);
  expect(body.error.code).toBe('SERVICE_UNAVAILABLE');
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  const files = await stack.db.collection(`organizations/${stack.organizationId}/files`).get();
  expect(files.docs.map((d) => d.get('status'))).toEqual([]);
  const lines = stdout
    .text()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  expect(lines.some((l) => l.includes('"BUCKET_NOT_FOUND"'))).toBe(true);
  expect(stdout.text()).not.toContain('secret-plans');
});
