import { FieldValue, Timestamp } from '@google-cloud/firestore';
import { FilesClient } from '@files-api/sdk';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { seedTenant } from '../../scripts/local-stack/seed-tenant';
import { BOUNDARY, multipartBody, rawPost } from '../support/multipart';
import { startStack, type Stack } from '../support/stack';
import { FirestoreWebhooks } from '../../functions/adapters/firestore-webhooks';
import { toFileObject } from '../../functions/domain/file-record';
import { isoSeconds } from '../../functions/domain/iso-time';
import { validateErrorEnvelope } from '../../functions/generated/validators';
import { newSigningSecret, newWebhookId } from '../../functions/webhooks/ids';
import { record } from '../unit/ports-contract';

/** One POST the receiver got. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver on loopback that answers 500 to the first `failures` attempts of each event, then 200. */
function startReceiver(failures: number) {
  const received: Received[] = [];
  const attemptsOf = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const attempt = (attemptsOf.get(id) ?? 0) + 1;
      attemptsOf.set(id, attempt);
      const answered = attempt <= failures ? 500 : 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.statusCode = answered;
      res.end();
    });
  });
  const listening = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`)),
  );
  return { received, listening, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const TOPIC = 'webhook-deliveries-it';

// Answers as the tests read them; the contract check (test/support/files-api-server.ts) vouches for their shape.
type Json = Record<string, any>;
const json = async (res: Response): Promise<Json> => (await res.json()) as Json;

describe('webhooks', () => {
  let stack: Stack;
  let adminKey: string;
  let pubsubHost: string;

  beforeAll(async () => {
    stack = await startStack(__filename, { WEBHOOK_ALLOW_LOOPBACK: '1', WEBHOOK_TOPIC: TOPIC }, ['files', 'deliver', 'relay']);
    ({ apiKey: adminKey } = await seedTenant(stack.db, { organizationId: stack.organizationId, principalId: 'usr_admin', role: 'admin' }));
    pubsubHost = process.env.PUBSUB_EMULATOR_HOST as string;
    const project = `http://${pubsubHost}/v1/projects/${stack.projectId}`;
    // As the deploy makes them: the topic, and a push subscription to the deliver function with a retry policy.
    await fetch(`${project}/topics/${TOPIC}`, { method: 'PUT' });
    const sub = await fetch(`${project}/subscriptions/${TOPIC}-push`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        topic: `projects/${stack.projectId}/topics/${TOPIC}`,
        pushConfig: { pushEndpoint: `${stack.api.urls.deliver}/` },
        retryPolicy: { minimumBackoff: '1s', maximumBackoff: '5s' },
        ackDeadlineSeconds: 30,
      }),
    });
    expect(sub.status).toBe(200);
  });

  afterAll(async () => {
    // No more pushes to a function about to close its clients.
    if (stack) await fetch(`http://${pubsubHost}/v1/projects/${stack.projectId}/subscriptions/${TOPIC}-push`, { method: 'DELETE' });
    await stack?.close();
  });

  const call = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}${path}`, {
      method,
      headers: { 'X-API-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** An event as the outbox commits it (adapters/firestore-events.ts), written straight to Firestore. */
  async function commitEvent(id: string, type = 'file.uploaded') {
    const now = new Date();
    await stack.db.doc(`organizations/${stack.organizationId}/events/${id}`).create({
      id,
      object: 'event',
      type,
      created_at: FieldValue.serverTimestamp(),
      organization_id: stack.organizationId,
      data: { file: toFileObject(record(stack.organizationId, 'file_abc', { status: 'uploaded' })) },
      expire_at: Timestamp.fromMillis(now.getTime() + 30 * 86400_000),
      relay: 'pending',
    });
  }

  test('endpoint CRUD: the secret is answered once; a member is refused', async () => {
    const created = await call('POST', '/webhooks', adminKey, {
      url: 'http://127.0.0.1:9/none',
      event_types: ['file.uploaded'],
      description: 'crud',
    });
    expect(created.status).toBe(201);
    const endpoint = await json(created);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(endpoint).toMatchObject({ object: 'webhook_endpoint', enabled: true, event_types: ['file.uploaded'] });

    const got = await json(await call('GET', `/webhooks/${endpoint.id}`, adminKey));
    expect(got.secret).toBeUndefined();
    const listed = await json(await call('GET', '/webhooks', adminKey));
    expect(listed.webhooks.map((w: { id: string; secret?: string }) => [w.id, w.secret])).toContainEqual([endpoint.id, undefined]);

    const patched = await call('PATCH', `/webhooks/${endpoint.id}`, adminKey, { enabled: false });
    expect(await json(patched)).toMatchObject({ enabled: false, disabled_reason: 'manual' });

    const rotated = await json(await call('POST', `/webhooks/${endpoint.id}/rotate-secret`, adminKey));
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);

    for (const [method, path, body] of [
      ['GET', '/webhooks', undefined],
      ['POST', '/webhooks', { url: 'http://127.0.0.1:9/x' }],
      ['GET', `/webhooks/${endpoint.id}`, undefined],
      ['DELETE', `/webhooks/${endpoint.id}`, undefined],
    ] as const) {
      const refused = await call(method, path, stack.apiKey, body);
      expect(refused.status).toBe(403);
      expect((await json(refused)).error.code).toBe('INSUFFICIENT_ROLE');
    }

    expect((await call('DELETE', `/webhooks/${endpoint.id}`, adminKey)).status).toBe(204);
    const gone = await call('GET', `/webhooks/${endpoint.id}`, adminKey);
    expect(gone.status).toBe(404);
    expect((await json(gone)).error.code).toBe('WEBHOOK_NOT_FOUND');
  });

  test.each([
    ['a private address', 'https://10.0.0.1/hook'],
    ['the metadata server', 'http://169.254.169.254/computeMetadata/v1/'],
    ['the metadata host name', 'https://metadata.google.internal/'],
    ['plain http to a public name', 'http://example.com/hook'],
    ['not a URL', 'not a url at all'],
  ])('creating an endpoint at %s is refused', async (_, url) => {
    const refused = await call('POST', '/webhooks', adminKey, { url });
    expect(refused.status).toBe(400);
    expect((await json(refused)).error).toMatchObject({ code: 'INVALID_FIELD_VALUE', details: { field: 'url' } });
  });

  test('an event committed by a function that died before relaying it reaches the endpoint through the catch-up, retried with the same webhook-id and signed afresh', async () => {
    const receiver = startReceiver(2);
    try {
      // Made straight in Firestore, not by a call: a call's answer would start a prompt relay, which could
      // take the event before the catch-up does (each event goes to one relay: webhook-relay-claims.test.ts).
      const created = { id: newWebhookId(), secret: newSigningSecret() };
      const now = isoSeconds(Date.now());
      await new FirestoreWebhooks(stack.db, 10_000).create(stack.organizationId, {
        ...created,
        url: await receiver.listening,
        event_types: [],
        description: 'catch-up',
        enabled: true,
        disabled_reason: null,
        created_at: now,
        updated_at: now,
        failing_since: null,
      });
      const eventId = `evt_catchup${Date.now()}`;
      await commitEvent(eventId);
      // Nothing relayed it after its change's answer: the scheduled catch-up finds it.
      const relay = await fetch(`${stack.api.urls.relay}/`, { method: 'POST' });
      expect(relay.status).toBe(200);
      expect((await json(relay)).relayed).toBeGreaterThanOrEqual(1);

      const attempts = await until('three attempts', () => {
        const of = receiver.received.filter((r) => r.headers['webhook-id'] === eventId);
        return of.length >= 3 ? of : undefined;
      });
      expect(attempts.map((a) => a.answered).slice(0, 3)).toEqual([500, 500, 200]);
      const signer = new Webhook(created.secret);
      for (const attempt of attempts) {
        const payload = signer.verify(attempt.body, attempt.headers as Record<string, string>) as { id: string; type: string };
        expect(payload).toMatchObject({ id: eventId, object: 'event', type: 'file.uploaded', organization_id: stack.organizationId });
        expect(payload).not.toHaveProperty('relay');
      }
      // A tampered body fails verification.
      const tampered = attempts[0] as Received;
      expect(() =>
        signer.verify(tampered.body.replace('file.uploaded', 'file.deleted'), tampered.headers as Record<string, string>),
      ).toThrow();

      const event = await stack.db.doc(`organizations/${stack.organizationId}/events/${eventId}`).get();
      expect(event.get('relay')).toBe('sent');

      type Attempt = { event_id: string; status: number; success: boolean; webhook_id: string; error: string | null };
      // Each attempt is recorded once its answer is in: wait for the third.
      const listed = await until('the attempts listed', async () => {
        const answer = await json(await call('GET', `/webhooks/${created.id}/deliveries`, adminKey));
        const all = answer.deliveries as Attempt[];
        return all.filter((d) => d.event_id === eventId).length >= 3 ? all : undefined;
      });
      const mine = listed.filter((d) => d.event_id === eventId);
      expect(mine.map((d) => d.status).sort()).toEqual([200, 500, 500]);
      expect(mine.every((d) => d.webhook_id === eventId)).toBe(true);
      expect(mine.find((d) => d.success)?.error).toBeNull();
      expect(JSON.stringify(listed)).not.toContain(created.secret);

      // Redelivery sends it once more, with the same webhook-id.
      const redelivered = await call('POST', `/events/${eventId}/redeliver`, adminKey);
      expect(redelivered.status).toBe(202);
      expect((await json(redelivered)).webhook_ids).toContain(created.id);
      await until('the redelivery', () =>
        receiver.received.filter((r) => r.headers['webhook-id'] === eventId).length >= 4 ? true : undefined,
      );
      expect((await call('DELETE', `/webhooks/${created.id}`, adminKey)).status).toBe(204);
    } finally {
      await receiver.close();
    }
  });

  test('an event is relayed right after a change is answered, without the catch-up', async () => {
    const receiver = startReceiver(0);
    try {
      const created = await json(
        await call('POST', '/webhooks', adminKey, { url: await receiver.listening, event_types: ['file.created'] }),
      );
      const eventId = `evt_prompt${Date.now()}`;
      await commitEvent(eventId, 'file.created');
      await commitEvent(`${eventId}x`, 'file.deleted');
      // Any change's answer relays its organization's pending events.
      expect((await call('PATCH', `/webhooks/${created.id}`, adminKey, { description: 'prompt' })).status).toBe(200);
      await until('the event', () => (receiver.received.some((r) => r.headers['webhook-id'] === eventId) ? true : undefined));
      // Not subscribed to file.deleted: never sent.
      expect(receiver.received.some((r) => r.headers['webhook-id'] === `${eventId}x`)).toBe(false);
      expect((await call('DELETE', `/webhooks/${created.id}`, adminKey)).status).toBe(204);
    } finally {
      await receiver.close();
    }
  });

  test('a direct upload: its file.created and file.uploaded reach the endpoint, signed, from the outbox', async () => {
    const receiver = startReceiver(0);
    try {
      const created = await json(await call('POST', '/webhooks', adminKey, { url: await receiver.listening }));
      const body = multipartBody([{ name: 'file', filename: 'hello.txt', type: 'text/plain', value: Buffer.from('hello webhooks\n') }]);
      const answer = await rawPost(
        `${stack.api.url}/v1/organizations/${stack.organizationId}/files/upload`,
        { 'X-API-Key': stack.apiKey, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': String(body.length) },
        (write, end) => {
          write(body);
          end();
        },
      );
      if (answer === 'closed') throw new Error('the upload connection closed without an answer');
      expect(answer.status).toBe(201);
      const fileId = (answer.body as { id: string }).id;
      const signer = new Webhook(created.secret);
      const types = await until('both events', () => {
        const mine = receiver.received
          .map((r) => signer.verify(r.body, r.headers as Record<string, string>) as { type: string; data: { file: { id: string } } })
          .filter((e) => e.data.file.id === fileId)
          .map((e) => e.type);
        return mine.length >= 2 ? mine.sort() : undefined;
      });
      expect(types).toEqual(['file.created', 'file.uploaded']);
      expect((await call('DELETE', `/webhooks/${created.id}`, adminKey)).status).toBe(204);
    } finally {
      await receiver.close();
    }
  });

  test('a create retried under its Idempotency-Key makes one endpoint and answers it again, secret included', async () => {
    const key = `create-${Date.now()}`;
    const body = { url: 'http://127.0.0.1:9/idempotent', event_types: ['file.uploaded', 'file.created'], description: 'once' };
    const create = (payload: unknown, withKey = key) =>
      fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}/webhooks`, {
        method: 'POST',
        headers: { 'X-API-Key': adminKey, 'Content-Type': 'application/json', 'Idempotency-Key': withKey },
        body: JSON.stringify(payload),
      });
    // The retries a lost answer causes, some of them at once.
    const answers = [await create(body), ...(await Promise.all([create(body), create(body), create(body)]))];
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    const endpoints = await Promise.all(answers.map(json));
    const first = endpoints[0] as Json;
    expect(first.secret).toMatch(/^whsec_/);
    for (const endpoint of endpoints) expect(endpoint).toEqual(first);
    // The same types in another order are the same request.
    const reordered = await create({ ...body, event_types: ['file.created', 'file.uploaded'] });
    expect((await json(reordered)).id).toBe(first.id);

    const listed = await json(await call('GET', '/webhooks', adminKey));
    expect(listed.webhooks.filter((w: { url: string }) => w.url === body.url)).toHaveLength(1);
    // The key's claim names the endpoint; the secret is stored in the endpoint alone.
    const claims = await stack.db.collection(`organizations/${stack.organizationId}/webhook_keys`).get();
    expect(claims.docs.map((d) => d.get('endpoint_id'))).toContain(first.id);
    expect(JSON.stringify(claims.docs.map((d) => d.data()))).not.toContain(first.secret);

    const reused = await create({ ...body, description: 'another' });
    expect(reused.status).toBe(409);
    expect((await json(reused)).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const invalid = await create(body, 'not ascii: é');
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error.details.field).toBe('Idempotency-Key');

    // Another key is another endpoint.
    const other = await json(await create(body, `${key}-2`));
    expect(other.id).not.toBe(first.id);
    for (const id of [first.id, other.id]) expect((await call('DELETE', `/webhooks/${id}`, adminKey)).status).toBe(204);
    // Its endpoint deleted, the key no longer names one: a create under it makes a new endpoint.
    const again = await json(await create(body));
    expect(again.id).not.toBe(first.id);
    expect((await call('DELETE', `/webhooks/${again.id}`, adminKey)).status).toBe(204);
  });

  test("the SDK's createWebhook, its first answer lost on the way, retries under its key and makes one endpoint", async () => {
    let lost = 0;
    const client = new FilesClient({
      baseUrl: stack.api.url,
      apiKey: adminKey,
      organizationId: stack.organizationId,
      retry: { baseDelayMs: 10 },
      // The first create reaches the function, which makes the endpoint; its answer never reaches the SDK.
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (init?.method === 'POST' && lost++ === 0) {
          await response.arrayBuffer();
          throw new TypeError('fetch failed');
        }
        return response;
      },
    });
    const url = `http://127.0.0.1:9/sdk-retry-${Date.now()}`;
    const endpoint = await client.createWebhook({ url });
    expect(lost).toBe(2);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const mine = (await client.listWebhooks()).filter((w) => w.url === url);
    expect(mine.map((w) => w.id)).toEqual([endpoint.id]);
    await client.deleteWebhook(endpoint.id);
  });

  /**
   * Creates an endpoint for each of `names` at once, each under an Idempotency-Key of its name, as a client
   * does: a 503 (a backend past its deadline, which a loaded machine can make of a burst) must carry
   * Retry-After and is retried under the same key once that has passed; every other answer is final.
   * The final answers, by name.
   */
  async function createAtOnce(
    organizationId: string,
    apiKey: string,
    names: string[],
  ): Promise<Map<string, { status: number; body: Json }>> {
    const final = new Map<string, { status: number; body: Json }>();
    let pending = names;
    for (let round = 0; pending.length > 0 && round < 10; round++) {
      const answers = await Promise.all(
        pending.map(async (name) => {
          const answer = await fetch(`${stack.api.url}/v1/organizations/${organizationId}/webhooks`, {
            method: 'POST',
            headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json', 'Idempotency-Key': name },
            body: JSON.stringify({ url: `http://127.0.0.1:9/${name}` }),
          });
          return { name, status: answer.status, retryAfter: answer.headers.get('retry-after'), body: await json(answer) };
        }),
      );
      let wait = 0;
      for (const { name, status, retryAfter, body } of answers) {
        if (status !== 201) expect(validateErrorEnvelope(body)).toBe(true);
        if (status === 503) {
          expect(body.error.code).toBe('SERVICE_UNAVAILABLE');
          expect(retryAfter).toMatch(/^\d+$/);
          wait = Math.max(wait, Number(retryAfter));
        } else {
          final.set(name, { status, body });
        }
      }
      pending = answers.filter((a) => a.status === 503).map((a) => a.name);
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
    expect(pending).toEqual([]);
    return final;
  }

  test('a burst of 40 creates against the limit of 20: exactly 20 endpoints, the rest refused in the envelope', async () => {
    const organizationId = 'org_burst';
    const { apiKey } = await seedTenant(stack.db, { organizationId, principalId: 'usr_burst', role: 'admin' });
    const endpoints = () => stack.db.collection(`organizations/${organizationId}/webhooks`).get();
    const answers = await createAtOnce(
      organizationId,
      apiKey,
      Array.from({ length: 40 }, (_, i) => `burst-${i}`),
    );
    const created = [...answers.values()].filter((a) => a.status === 201).map((a) => a.body.id as string);
    const refused = [...answers.values()].filter((a) => a.status !== 201);
    expect(created).toHaveLength(20);
    expect(refused).toHaveLength(20);
    for (const { status, body } of refused) {
      expect(status).toBe(409);
      expect(body.error).toMatchObject({ code: 'WEBHOOK_LIMIT_REACHED', details: { limit: 20 } });
    }
    // What was answered is what exists: a create answered 503 that still landed was answered again under its key.
    expect((await endpoints()).docs.map((d) => d.id).sort()).toEqual([...created].sort());

    // A deletion frees its place, for one create.
    const remove = await fetch(`${stack.api.url}/v1/organizations/${organizationId}/webhooks/${created[0]}`, {
      method: 'DELETE',
      headers: { 'X-API-Key': apiKey },
    });
    expect(remove.status).toBe(204);
    const again = await createAtOnce(organizationId, apiKey, ['again-1', 'again-2', 'again-3']);
    expect([...again.values()].map((a) => a.status).sort()).toEqual([201, 409, 409]);
    expect((await endpoints()).size).toBe(20);
  });

  test("the feed lists file events only: an endpoint's webhook_endpoint.disabled stays out of it", async () => {
    const write = (id: string, type: string, data: unknown) =>
      stack.db.doc(`organizations/${stack.organizationId}/events/${id}`).create({
        id,
        object: 'event',
        type,
        created_at: FieldValue.serverTimestamp(),
        organization_id: stack.organizationId,
        data,
        expire_at: Timestamp.fromMillis(Date.now() + 30 * 86400_000),
        // Already relayed: this test is about the feed, not delivery.
        relay: 'sent',
      });
    const stamp = Date.now().toString(36);
    await write(`evt_zzfeed${stamp}a`, 'webhook_endpoint.disabled', { webhook_endpoint: { id: 'we_gone' } });
    const file = toFileObject(record(stack.organizationId, 'file_feed', { status: 'uploaded' }));
    await write(`evt_zzfeed${stamp}b`, 'file.uploaded', { file });
    const listed = await until('the file event is served', async () => {
      const page = await json(await call('GET', '/events?limit=100', stack.apiKey));
      const all = page.events as { id: string; type: string }[];
      return all.some((e) => e.id === `evt_zzfeed${stamp}b`) ? all : undefined;
    });
    expect(listed.map((e) => e.type)).not.toContain('webhook_endpoint.disabled');
  });
});
