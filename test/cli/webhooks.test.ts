import { seedTenant } from '../../scripts/local-stack/seed-tenant';
import { startStack, type Stack } from '../support/stack';
import { jsonLines, runCliToEnd } from './run-cli';

// `files webhooks add|ls|rm` against the function: an owner's key adds, lists and removes an endpoint.
let stack: Stack;
let env: Record<string, string>;
const ORG = 'org_cli_hooks';

beforeAll(async () => {
  stack = await startStack(__filename, { WEBHOOK_ALLOW_LOOPBACK: '1' });
  const { apiKey } = await seedTenant(stack.db, { organizationId: ORG, principalId: 'usr_cli_owner', role: 'owner' });
  env = { FILES_API_URL: stack.api.url, FILES_API_KEY: apiKey, FILES_ORG: ORG };
});
afterAll(async () => {
  await stack.close();
});

const files = (args: string[]) => runCliToEnd(args, env);

it('adds an endpoint (printing its secret once), lists it without the secret, removes it', async () => {
  const added = await files(['webhooks', 'add', 'http://127.0.0.1:9/hooks', '--event', 'file.uploaded', 'file.created']);
  expect(added.code).toBe(0);
  const [idLine, secret] = added.stdout.trim().split('\n');
  const id = (idLine as string).split(' ')[0] as string;
  expect(id).toMatch(/^we_/);
  expect(secret).toMatch(/^whsec_/);

  const listed = await files(['webhooks', 'ls', '--json']);
  expect(listed.code).toBe(0);
  const endpoints = jsonLines<{ id: string; event_types: string[] }>(listed.stdout);
  expect(endpoints.find((e) => e.id === id)?.event_types).toEqual(['file.uploaded', 'file.created']);
  expect(listed.stdout).not.toContain(secret as string);

  expect((await files(['webhooks', 'rm', id])).code).toBe(0);
  expect((await files(['webhooks', 'ls'])).stdout).not.toContain(id);
});

it('refuses an event type it does not know, before any request', async () => {
  const refused = await files(['webhooks', 'add', 'http://127.0.0.1:9/hooks', '--event', 'file.exploded']);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/file\.exploded/);
});
