import { createHash } from 'node:crypto';
import { createApiKey } from '../../scripts/admin/api-keys';
import { seedMember, startStack, type Stack } from '../support/stack';
import { validateErrorEnvelope } from '../../functions/generated/validators';
import { closeAgent, send } from '../fuzz/support/raw-http';
import { linesCarrying } from '../secrets/support/output-capture';

// Every endpoint x every way a caller can be the wrong one, on the emulators:
// the documented 401/403/404, and no answer, header or log line carries
// anything of the other organization.
let stack: Stack;
const OTHER_ORG = 'org_other';
const OTHER_PRINCIPAL = 'usr_mallory_owner';
const OTHER_FILENAME = 'zz-other-organization-secret-plans.pdf';
const other = { apiKey: '', keyId: '', fileId: '', gcsPath: '', uploadUrl: '' };
const own = { fileId: '', gcsPath: '' };
const keys: Record<'paused' | 'deactivated' | 'expired' | 'outsider', string> = { paused: '', deactivated: '', expired: '', outsider: '' };
const logLines: string[] = [];
const write = process.stdout.write;

const base = (org: string) => `${stack.api.url}/v1/organizations/${org}/files`;
// Paths go out exactly as written (fetch would resolve dot segments before sending).
const rawPath = (org: string) => `/v1/organizations/${org}/files`;

async function issue(org: string, apiKey: string, filename: string) {
  const res = await fetch(`${base(org)}/upload-url`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filename, file_size: 5, mime_type: 'application/pdf' }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { file_id: string; gcs_path: string; upload_url: string };
}

async function keyInState(patch: Record<string, unknown>): Promise<string> {
  const key = await createApiKey(stack.db, stack.principalId);
  await stack.db.doc(`api_keys/${createHash('sha256').update(key.api_key).digest('hex')}`).update(patch);
  return key.api_key;
}

beforeAll(async () => {
  stack = await startStack(__filename);
  ({ apiKey: other.apiKey, keyId: other.keyId } = await seedMember(stack.db, OTHER_ORG, OTHER_PRINCIPAL));
  const theirs = await issue(OTHER_ORG, other.apiKey, OTHER_FILENAME);
  Object.assign(other, { fileId: theirs.file_id, gcsPath: theirs.gcs_path, uploadUrl: theirs.upload_url });
  const mine = await issue(stack.organizationId, stack.apiKey, 'mine.pdf');
  Object.assign(own, { fileId: mine.file_id, gcsPath: mine.gcs_path });
  keys.paused = await keyInState({ status: 'paused' });
  keys.deactivated = await keyInState({ status: 'deactivated' });
  keys.expired = await keyInState({ expires_at: '2020-01-01T00:00:00Z' });
  // A principal with a key and no membership of the caller's organization.
  keys.outsider = (await createApiKey(stack.db, 'usr_outsider')).api_key;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    logLines.push(String(chunk));
    return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
});

afterAll(async () => {
  process.stdout.write = write;
  closeAgent();
  await stack?.close();
});

interface Endpoint {
  name: string;
  method: string;
  /** the path under …/files for an organization, aimed at a file id */
  path: (fileId: string) => string;
  body?: (gcsPath: string) => unknown;
}

const ENDPOINTS: Endpoint[] = [
  {
    name: 'upload-url',
    method: 'POST',
    path: () => '/upload-url',
    body: () => ({ filename: 'x.pdf', file_size: 5, mime_type: 'application/pdf' }),
  },
  {
    name: 'register',
    method: 'POST',
    path: () => '',
    body: (gcsPath) => ({ filename: gcsPath.split('/').pop(), gcs_path: gcsPath, file_size: 5, mime_type: 'application/pdf' }),
  },
  { name: 'list', method: 'GET', path: () => '?status=uploading' },
  { name: 'get', method: 'GET', path: (id) => `/${id}` },
  { name: 'update', method: 'PATCH', path: (id) => `/${id}`, body: () => ({ metadata: { probe: 'tenancy' } }) },
  { name: 'delete', method: 'DELETE', path: (id) => `/${id}` },
];

interface Case {
  label: string;
  orgSegment: string;
  apiKey?: string;
  fileId: string;
  gcsPath: string;
  expect: { status: number; code: string } | 'allowed';
}

function cases(e: Endpoint): Case[] {
  const mine = { orgSegment: stack.organizationId, fileId: own.fileId, gcsPath: own.gcsPath };
  const auth = (label: string, apiKey: string | undefined, status: number, code: string): Case => ({
    label,
    ...mine,
    apiKey,
    expect: { status, code },
  });
  const list: Case[] = [
    auth('no key', undefined, 401, 'AUTHENTICATION_REQUIRED'),
    auth('malformed key', 'ak_not-a-key', 401, 'INVALID_API_KEY'),
    auth('bearer-style key', `Bearer ${stack.apiKey}`, 401, 'INVALID_API_KEY'),
    auth('unknown key', `ak_${'Z'.repeat(43)}`, 401, 'INVALID_API_KEY'),
    auth('paused key', keys.paused, 401, 'API_KEY_PAUSED'),
    auth('deactivated key', keys.deactivated, 401, 'API_KEY_DEACTIVATED'),
    auth('expired key', keys.expired, 401, 'API_KEY_EXPIRED'),
    auth('key of a non-member', keys.outsider, 403, 'ORGANIZATION_ACCESS_DENIED'),
    auth('member of another organization', other.apiKey, 403, 'ORGANIZATION_ACCESS_DENIED'),
    {
      label: 'own key on the other organization',
      orgSegment: OTHER_ORG,
      apiKey: stack.apiKey,
      fileId: other.fileId,
      gcsPath: other.gcsPath,
      expect: { status: 403, code: 'ORGANIZATION_ACCESS_DENIED' },
    },
    {
      label: 'own key on an organization that does not exist',
      orgSegment: 'org_nobody',
      apiKey: stack.apiKey,
      fileId: own.fileId,
      gcsPath: own.gcsPath,
      expect: { status: 403, code: 'ORGANIZATION_ACCESS_DENIED' },
    },
  ];
  for (const [label, segment] of [
    ['encoded other organization', 'org%5Fother'],
    ['encoded other organization (first letter)', '%6Frg_other'],
    ['encoded slash and dot segments', `${stack.organizationId}%2F..%2F${OTHER_ORG}`],
    ['double-encoded dot segments', `%252e%252e%252F${OTHER_ORG}`],
    ['dot segment', '..'],
    ['encoded dot segment', '%2e%2e'],
    ['case variant', 'ORG_OTHER'],
    ['trailing encoded NUL', `${OTHER_ORG}%00`],
  ] as const) {
    list.push({
      label,
      orgSegment: segment,
      apiKey: stack.apiKey,
      fileId: other.fileId,
      gcsPath: other.gcsPath,
      expect: { status: 403, code: 'ORGANIZATION_ACCESS_DENIED' },
    });
  }
  // The server resolves no dot segments: such a path names no route at all.
  for (const segment of [`${stack.organizationId}/files/../../${OTHER_ORG}`, `${OTHER_ORG}/../${stack.organizationId}`]) {
    list.push({
      label: `raw dot segments (${segment})`,
      orgSegment: segment,
      apiKey: stack.apiKey,
      fileId: other.fileId,
      gcsPath: other.gcsPath,
      expect: { status: 404, code: 'NOT_FOUND' },
    });
  }
  if (e.name === 'get' || e.name === 'update' || e.name === 'delete') {
    list.push({
      label: "another organization's file id",
      ...mine,
      apiKey: stack.apiKey,
      fileId: other.fileId,
      expect: { status: 404, code: 'FILE_NOT_FOUND' },
    });
  }
  if (e.name === 'register') {
    list.push({
      label: "another organization's gcs_path",
      ...mine,
      apiKey: stack.apiKey,
      gcsPath: other.gcsPath,
      expect: { status: 404, code: 'FILE_NOT_FOUND' },
    });
    list.push({
      label: "another organization's file under this organization's prefix",
      ...mine,
      apiKey: stack.apiKey,
      gcsPath: other.gcsPath.replace(`files/${OTHER_ORG}/`, `files/${stack.organizationId}/`),
      expect: { status: 404, code: 'FILE_NOT_FOUND' },
    });
  }
  return list;
}

/** What of the other organization a caller of this case did not already send: none of it may come back. */
function secretsOf(c: Case): string[] {
  const sent = `${c.orgSegment} ${c.fileId} ${c.gcsPath} ${c.apiKey ?? ''}`;
  return [
    OTHER_FILENAME,
    OTHER_PRINCIPAL,
    other.keyId,
    other.apiKey,
    other.uploadUrl,
    new URL(other.uploadUrl).searchParams.get('upload_id') as string,
    other.fileId,
    other.gcsPath,
  ].filter((s) => !sent.includes(s));
}

describe('tenancy matrix', () => {
  it('every endpoint refuses every wrong caller as documented, and nothing of the other organization leaks', async () => {
    const failures: string[] = [];
    let requests = 0;
    for (const e of ENDPOINTS) {
      for (const c of cases(e)) {
        const linesBefore = logLines.length;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (c.apiKey !== undefined) headers['x-api-key'] = c.apiKey;
        const body = e.body ? Buffer.from(JSON.stringify(e.body(c.gcsPath))) : undefined;
        if (body) headers['content-length'] = String(body.length);
        const res = await send(stack.api.url, { method: e.method, path: `${rawPath(c.orgSegment)}${e.path(c.fileId)}`, headers, body });
        requests++;
        const text = res.body.toString('utf8');
        const where = `${e.name} / ${c.label}`;
        if (c.expect !== 'allowed') {
          let code: string | undefined;
          try {
            const body = JSON.parse(text) as unknown;
            if (!validateErrorEnvelope(body)) failures.push(`${where}: not the envelope`);
            code = (body as { error?: { code?: string } }).error?.code;
          } catch {
            failures.push(`${where}: not JSON`);
          }
          if (res.status !== c.expect.status || code !== c.expect.code)
            failures.push(`${where}: ${res.status} ${code}, expected ${c.expect.status} ${c.expect.code}`);
        }
        const headerText = Object.entries(res.headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n');
        const logs = logLines.slice(linesBefore).join('');
        for (const secret of secretsOf(c)) {
          if (text.includes(secret)) failures.push(`${where}: the answer carries ${secret}`);
          if (headerText.includes(secret)) failures.push(`${where}: a header carries ${secret}`);
          if (logs.includes(secret)) failures.push(`${where}: the log carries ${secret}`);
        }
      }
    }
    console.log(`tenancy matrix: ${requests} requests, ${failures.length} failures`);
    expect(failures).toEqual([]);
    // Nor any caller's key, whoever sent it.
    expect(linesCarrying(logLines, { 'API key': [stack.apiKey, other.apiKey, ...Object.values(keys)] })).toEqual([]);
    // Nothing of theirs changed: their file is still uploading with its session.
    const theirs = await stack.db.doc(`organizations/${OTHER_ORG}/files/${other.fileId}`).get();
    expect(theirs.get('status')).toBe('uploading');
    expect(theirs.get('session_uri')).toBeTruthy();
    expect(theirs.get('metadata')).toEqual({});
  });
});
