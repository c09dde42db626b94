import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { deliverOnce, type DeliveryDeps } from '../../functions/webhooks/deliver';
import type { AttemptDoc, StoredEvent, Webhook as Endpoint, WebhookDoc, WebhookStore } from '../../functions/webhooks/webhook-store';

const HOUR = 3600_000;
const ORG = 'org_1';
const EVENT: StoredEvent = {
  id: 'evt_1',
  object: 'event',
  type: 'file.uploaded',
  created_at: '2026-12-07T10:00:00.000Z',
  organization_id: ORG,
  data: { file: { id: 'file_1' } },
};

/** The store's part deliverOnce uses, in memory: one endpoint, one event. */
function memoryStore(endpoint: Endpoint) {
  const attempts: AttemptDoc[] = [];
  const disabled: string[] = [];
  const store = {
    find: async (_org: string, id: string) => (id === endpoint.id ? { ...endpoint } : null),
    findEvent: async (_org: string, id: string) => (id === EVENT.id ? EVENT : null),
    recordAttempt: async (_org: string, _id: string, attempt: AttemptDoc) => void attempts.push(attempt),
    update: async (_org: string, _id: string, change: Partial<WebhookDoc>) => Object.assign(endpoint, change),
    disableFailing: async (_org: string, id: string) => {
      disabled.push(id);
      endpoint.enabled = false;
      return true;
    },
  } as unknown as WebhookStore;
  return { store, attempts, disabled };
}

describe('deliverOnce', () => {
  let server: Server;
  let status = 500;
  let url = '';
  const seen: { headers: Record<string, string>; body: string; path?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ headers: req.headers as Record<string, string>, body, path: req.url });
        res.statusCode = status;
        // A redirect names where to go: a request there would be a redirect followed.
        if (status >= 300 && status < 400) res.setHeader('location', '/followed');
        res.end('a body the attempt record never keeps');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const endpointAt = (failingSince: string | null): Endpoint => ({
    id: 'we_1',
    url,
    event_types: [],
    description: '',
    enabled: true,
    disabled_reason: null,
    secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
    created_at: '2026-12-01T00:00:00Z',
    updated_at: '2026-12-01T00:00:00Z',
    failing_since: failingSince,
  });
  const deps = (store: WebhookStore, now: number): DeliveryDeps => ({
    webhooks: store,
    guard: { allowLoopback: true },
    disableAfterMs: 72 * HOUR,
    timeoutMs: 10_000,
    now: () => now,
  });

  test('a failure starts the streak and asks for a retry; a success ends it', async () => {
    const endpoint = endpointAt(null);
    const { store, attempts } = memoryStore(endpoint);
    // The real clock: receivers refuse a timestamp more than five minutes off theirs.
    const now = Date.now();
    status = 500;
    expect(await deliverOnce(deps(store, now), { organization_id: ORG, event_id: 'evt_1', endpoint_id: 'we_1' })).toBe('retry');
    expect(endpoint.failing_since).toBe(new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
    status = 204;
    expect(await deliverOnce(deps(store, now + 60_000), { organization_id: ORG, event_id: 'evt_1', endpoint_id: 'we_1' })).toBe('done');
    expect(endpoint.failing_since).toBeNull();
    expect(attempts.map((a) => [a.status, a.success, a.error])).toEqual([
      [500, false, 'HTTP 500'],
      [204, true, null],
    ]);
    // Each attempt verifies with the endpoint's secret, under one webhook-id.
    const signer = new Webhook(endpoint.secret);
    for (const request of seen.slice(-2)) expect(signer.verify(request.body, request.headers)).toMatchObject({ id: 'evt_1' });
    expect(new Set(seen.slice(-2).map((r) => r.headers['webhook-id']))).toEqual(new Set(['evt_1']));
  });

  test('an endpoint failing for longer than the limit is disabled and the message acknowledged', async () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    status = 503;
    const young = memoryStore(endpointAt(new Date(now - 71 * HOUR).toISOString()));
    expect(await deliverOnce(deps(young.store, now), { organization_id: ORG, event_id: 'evt_1', endpoint_id: 'we_1' })).toBe('retry');
    expect(young.disabled).toEqual([]);
    const old = memoryStore(endpointAt(new Date(now - 73 * HOUR).toISOString()));
    expect(await deliverOnce(deps(old.store, now), { organization_id: ORG, event_id: 'evt_1', endpoint_id: 'we_1' })).toBe('done');
    expect(old.disabled).toEqual(['we_1']);
    // Disabled: the next message for it is acknowledged without a request.
    const before = seen.length;
    expect(await deliverOnce(deps(old.store, now), { organization_id: ORG, event_id: 'evt_1', endpoint_id: 'we_1' })).toBe('done');
    expect(seen.length).toBe(before);
  });

  test.each([301, 302, 303, 307, 308])(
    'an endpoint answering %i has failed the attempt: the redirect is recorded, never followed',
    async (code) => {
      const endpoint = endpointAt(null);
      const { store, attempts } = memoryStore(endpoint);
      status = code;
      const before = seen.length;
      expect(await deliverOnce(deps(store, Date.now()), { organization_id: ORG, event_id: 'evt_1', endpoint_id: 'we_1' })).toBe('retry');
      expect(attempts).toEqual([expect.objectContaining({ status: code, success: false, error: `HTTP ${code}` })]);
      expect(endpoint.failing_since).not.toBeNull();
      expect(seen.slice(before).map((r) => r.path)).toEqual(['/hook']);
    },
  );

  test('a target the guard refuses is a failed attempt, never a request', async () => {
    const endpoint = { ...endpointAt(null), url: 'https://hooks.example.com/x' };
    const { store, attempts } = memoryStore(endpoint);
    const before = seen.length;
    const refusing = { ...deps(store, Date.now()), resolver: async () => [{ address: '10.0.0.8', family: 4 as const }] };
    expect(await deliverOnce(refusing, { organization_id: ORG, event_id: 'evt_1', endpoint_id: 'we_1' })).toBe('retry');
    expect(attempts[0]).toMatchObject({ status: null, success: false, error: expect.stringMatching(/^address refused/) });
    expect(seen.length).toBe(before);
  });
});
