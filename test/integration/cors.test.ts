import { startStack, type Stack } from '../support/stack';

const PAGE = 'http://127.0.0.1:5173';
const OTHER_PAGE = 'https://app.example.com';
const STRANGER = 'https://evil.example';

let stack: Stack;
let unconfigured: Stack;
beforeAll(async () => {
  stack = await startStack(__filename, { CORS_ALLOWED_ORIGINS: `${PAGE}, ${OTHER_PAGE}` });
  unconfigured = await startStack(__filename);
});
afterAll(async () => {
  await stack.close();
  await unconfigured.close();
});

const filesUrl = (s: Stack) => `${s.api.url}/v1/organizations/${s.organizationId}/files`;

function preflight(url: string, origin: string, method = 'POST') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'content-type,idempotency-key,x-api-key',
    },
  });
}

const corsHeadersOf = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'));

describe('API CORS', () => {
  it('answers a preflight from a listed origin with 204: methods, the API headers, and a max age', async () => {
    for (const origin of [PAGE, OTHER_PAGE]) {
      const response = await preflight(`${filesUrl(stack)}/upload-url`, origin);
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      expect(corsHeadersOf(response)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
        'access-control-allow-headers': 'X-API-Key, Content-Type, Idempotency-Key, traceparent',
        'access-control-max-age': '7200',
        vary: 'Origin',
      });
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('gives a listed origin the headers on every answer, errors included, and exposes X-Request-Id and Retry-After', async () => {
    const ok = await fetch(filesUrl(stack), { headers: { Origin: PAGE, 'X-API-Key': stack.apiKey } });
    expect(ok.status).toBe(200);
    expect(corsHeadersOf(ok)).toEqual({
      'access-control-allow-origin': PAGE,
      'access-control-expose-headers': 'X-Request-Id, Retry-After',
      vary: 'Origin',
    });
    const denied = await fetch(filesUrl(stack), { headers: { Origin: PAGE } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(PAGE);
    const unknownRoute = await fetch(`${stack.api.url}/v1/nothing`, { headers: { Origin: PAGE } });
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it('gives a listed origin the headers on the errors the body layer answers before the API runs (413)', async () => {
    const response = await fetch(`${filesUrl(stack)}/upload-url`, {
      method: 'POST',
      headers: { Origin: PAGE, 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'x'.repeat(100 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(response.headers.get('access-control-expose-headers')).toBe('X-Request-Id, Retry-After');
  });

  it('says nothing to any other origin: no CORS header, and a preflight is just an OPTIONS the API does not serve', async () => {
    for (const origin of [STRANGER, 'null', `${PAGE}/`, 'http://127.0.0.1:5174', PAGE.toUpperCase()]) {
      const response = await preflight(`${filesUrl(stack)}/upload-url`, origin);
      expect(response.status).toBe(405);
      expect(corsHeadersOf(response)).toEqual({ vary: 'Origin' });
      const get = await fetch(filesUrl(stack), { headers: { Origin: origin, 'X-API-Key': stack.apiKey } });
      expect(get.status).toBe(200);
      expect(corsHeadersOf(get)).toEqual({ vary: 'Origin' });
    }
  });

  it('answers no CORS at all when no origin is configured (the default)', async () => {
    const response = await preflight(`${filesUrl(unconfigured)}/upload-url`, PAGE);
    expect(response.status).toBe(405);
    expect(corsHeadersOf(response)).toEqual({});
    const get = await fetch(filesUrl(unconfigured), { headers: { Origin: PAGE, 'X-API-Key': unconfigured.apiKey } });
    expect(corsHeadersOf(get)).toEqual({});
  });

  it('passes the page’s origin to the upload session, so storage answers the page with CORS too', async () => {
    const session = await fetch(`${filesUrl(stack)}/upload-url`, {
      method: 'POST',
      headers: { Origin: PAGE, 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'from-the-page.txt', file_size: 5, mime_type: 'text/plain' }),
    });
    expect(session.status).toBe(200);
    const { upload_url: uploadUrl } = (await session.json()) as { upload_url: string };
    const storagePreflight = await fetch(uploadUrl, {
      method: 'OPTIONS',
      headers: { Origin: PAGE, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-range' },
    });
    expect(storagePreflight.headers.get('access-control-allow-origin')).toBe(PAGE);
    const put = await fetch(uploadUrl, { method: 'PUT', headers: { Origin: PAGE }, body: 'hello' });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe(PAGE);
  });
});
