import { endpoints } from '../../functions/http/dispatch';
import { servedOperations, type FilesApiDeps } from '../../functions/http/files-api';
import { createRouter } from '../../functions/http/router';
import { gatewayDocument } from '../../scripts/contract/gateway';
import { loadContract } from '../../scripts/contract/load';
import { openApiDocument } from '../../scripts/contract/openapi';
import { answersChecked } from '../support/files-api-server';
import { startStack, type Stack } from '../support/stack';

const loaded = loadContract();
const SAMPLE: Record<string, string> = { organization_id: 'org_123', file_id: 'file_abc123xyz789' };

type Route = { method: string; path: string; operationId: string };
const key = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
const samplePath = (template: string) => template.replace(/\{([a-z_]+)\}/g, (_, name: string) => SAMPLE[name]);

function documented(doc: { paths: Record<string, Record<string, { operationId: string }>> }): Route[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => method !== 'options')
      .map(([method, op]) => ({ method: method.toUpperCase(), path, operationId: op.operationId })),
  );
}

// The endpoints are only looked up here, never called: no backend is needed to list them.
const served: Route[] = [...createRouter(servedOperations(endpoints({} as FilesApiDeps))).routes];
const documents = {
  'OpenAPI 3.1': documented(openApiDocument(loaded) as never),
  'API Gateway': documented(gatewayDocument(loaded, { backend: 'https://example.cloudfunctions.net/files' }) as never),
};

describe.each(Object.entries(documents))('the %s document and the routes the function serves', (_, routes) => {
  it('every served route is documented, under its operation id', () => {
    const byKey = new Map(routes.map((r) => [key(r), r.operationId]));
    for (const route of served)
      expect({ route: key(route), operationId: byKey.get(key(route)) }).toEqual({ route: key(route), operationId: route.operationId });
  });

  it('nothing is documented that is not served', () => {
    const servedKeys = new Set(served.map(key));
    expect(routes.filter((r) => !servedKeys.has(key(r)))).toEqual([]);
  });
});

describe('each route, probed on the function served by functions-framework', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(__filename);
  });
  afterAll(() => stack?.close());

  const call = (method: string, path: string, apiKey?: string) =>
    fetch(`${stack.api.url}${path}`, { method, headers: apiKey ? { 'X-API-Key': apiKey } : {} }).then(async (res) => ({
      status: res.status,
      allow: res.headers.get('allow'),
      code: ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code,
    }));

  it.each(served.map((r) => [r.operationId, r] as const))('%s reaches authentication, then its endpoint', async (_, route) => {
    expect(await call(route.method, samplePath(route.path))).toMatchObject({ status: 401, code: 'AUTHENTICATION_REQUIRED' });
    const answer = await call(route.method, samplePath(route.path), stack.apiKey);
    expect(answer.status).not.toBe(401);
    expect(['NOT_FOUND', 'METHOD_NOT_ALLOWED']).not.toContain(answer.code);
  });

  it('every served path answers another method 405, with Allow naming the methods it has', async () => {
    for (const path of new Set(served.map((r) => r.path))) {
      const methods = served.filter((r) => r.path === path).map((r) => r.method);
      const answer = await call('PUT', samplePath(path), stack.apiKey);
      expect({ path, status: answer.status, allow: answer.allow?.split(', ').sort() }).toEqual({
        path,
        status: 405,
        allow: methods.sort(),
      });
    }
  });

  it('anything else is 404', async () => {
    for (const path of [
      '/',
      '/v1/organizations/org_123',
      '/v1/organizations/org_123/folders',
      '/v1/organizations/org_123/files/file_1/parts',
    ]) {
      expect(await call('GET', path, stack.apiKey)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
  });

  it('checked every one of these answers against the OpenAPI document', () => {
    expect(answersChecked()).toBeGreaterThanOrEqual(served.length * 2 + 7);
  });
});
