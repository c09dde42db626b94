import { Firestore } from '@google-cloud/firestore';
import { freePort } from '../../emulator/free-port';
import { isWellFormedApiKey } from '../../functions/domain/api-key';
import { runFilesAdmin, type CliResult } from './run-files-admin';

const PROJECT = 'test-admin-cli';
const env = { GOOGLE_CLOUD_PROJECT: PROJECT };
const admin = (...args: string[]) => runFilesAdmin(args, env);

/** A failure is exactly one line on stderr and nothing on stdout. */
function expectFailure(result: CliResult, code: number, pattern: RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
  expect(result.stderr).toMatch(/^files-admin: [^\n]+\n$/);
  expect(result.stderr).toMatch(pattern);
}

describe('files-admin help', () => {
  it('lists every command at the top level', async () => {
    const result = await admin('--help');
    expect(result.code).toBe(0);
    for (const command of ['org create', 'member add', 'member remove', 'key create', 'key pause', 'key resume', 'key revoke', 'key list']) {
      expect(result.stdout).toContain(command);
    }
  });

  it('has help for a group and for a command', async () => {
    const group = await admin('key', '--help');
    expect(group.code).toBe(0);
    expect(group.stdout).toContain('key revoke <key_id>');
    const command = await admin('key', 'create', '--help');
    expect(command.code).toBe(0);
    expect(command.stdout).toContain('Usage: files-admin key create <user_id> [--expires-at ISO] [--json]');
  });
});

const USAGE_ERRORS: [string[], RegExp][] = [
  [[], /missing command/],
  [['frobnicate'], /unknown command "frobnicate"/],
  [['org'], /missing org command/],
  [['org', 'delete', 'x'], /unknown command "org delete"/],
  [['org', 'create'], /missing <organization_id>/],
  [['org', 'create', 'a', 'b'], /unexpected argument "b"/],
  [['org', 'create', 'has space'], /invalid organization id "has space"/],
  [['org', 'create', '-leading-dash'], /Unknown option|invalid organization id/],
  [['org', 'create', 'x'.repeat(64)], /invalid organization id/],
  [['org', 'create', 'ok', '--name'], /--name <value>' argument missing/],
  [['member', 'add', 'org_x'], /missing <user_id>/],
  [['member', 'add', 'org_x', 'usr/x'], /invalid user id "usr\/x"/],
  [['member', 'add', 'org_x', 'usr_x', '--role', 'boss'], /invalid role "boss"/],
  [['key', 'create', 'usr_x', '--expires-at', 'next week'], /invalid --expires-at/],
  [['key', 'create', 'usr_x', '--expires-at', '2001-01-01T00:00:00Z'], /not in the future/],
  [['key', 'create', 'usr_x', '--frob'], /Unknown option '--frob'/],
  [['key', 'pause', 'not-a-key-id'], /invalid key id/],
  [['key', 'list', 'usr_x', '--project', ''], /--project must not be empty/],
];

describe('files-admin usage errors exit 2', () => {
  // These touch no Firestore and are independent: run them all at once, assert one by one.
  let results: CliResult[];
  beforeAll(async () => {
    results = await Promise.all(USAGE_ERRORS.map(([args]) => admin(...args)));
  });

  it.each(USAGE_ERRORS.map(([args, pattern], i) => [args, pattern, i] as const))('%j', (_args, pattern, i) => {
    expectFailure(results[i], 2, pattern);
  });
});

describe('files-admin organizations and members', () => {
  it('creates an organization once; the second create exits 4', async () => {
    const created = await admin('org', 'create', 'org_cli', '--name', 'CLI Org');
    expect(created).toEqual({ code: 0, stdout: 'created organization org_cli (CLI Org)\n', stderr: '' });
    expectFailure(await admin('org', 'create', 'org_cli'), 4, /organization org_cli already exists/);
  });

  it('adds and removes members, refusing duplicates (4) and unknown ones (3)', async () => {
    await admin('org', 'create', 'org_members');
    expectFailure(await admin('member', 'add', 'org_nowhere', 'usr_a'), 3, /organization org_nowhere does not exist/);
    expect(await admin('member', 'add', 'org_members', 'usr_a', '--role', 'admin')).toMatchObject({
      code: 0,
      stdout: 'added usr_a to org_members as admin\n',
    });
    expect((await admin('member', 'add', 'org_members', 'usr_b')).stdout).toBe('added usr_b to org_members as member\n');
    expectFailure(await admin('member', 'add', 'org_members', 'usr_a', '--role', 'owner'), 4, /usr_a is already a member of org_members/);
    expectFailure(await admin('member', 'remove', 'org_members', 'usr_zz'), 3, /usr_zz is not a member of org_members/);
    expectFailure(await admin('member', 'remove', 'org_nowhere', 'usr_a'), 3, /organization org_nowhere does not exist/);
    expect((await admin('member', 'remove', 'org_members', 'usr_a')).code).toBe(0);
    expectFailure(await admin('member', 'remove', 'org_members', 'usr_a'), 3, /not a member/);
  });

  it('--project overrides GOOGLE_CLOUD_PROJECT', async () => {
    const other = `${PROJECT}-other`;
    expect((await admin('--project', other, 'org', 'create', 'org_elsewhere')).code).toBe(0);
    const db = new Firestore({ projectId: other });
    const home = new Firestore({ projectId: PROJECT });
    try {
      expect((await db.doc('organizations/org_elsewhere').get()).exists).toBe(true);
      expect((await home.doc('organizations/org_elsewhere').get()).exists).toBe(false);
    } finally {
      await Promise.all([db.terminate(), home.terminate()]);
    }
  });
});

describe('files-admin keys', () => {
  it('creates a key and prints it once as exactly {key_id, api_key, principal_id}', async () => {
    const result = await admin('key', 'create', 'usr_keys', '--json');
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(Object.keys(printed).sort()).toEqual(['api_key', 'key_id', 'principal_id']);
    expect(printed.principal_id).toBe('usr_keys');
    expect(isWellFormedApiKey(printed.api_key)).toBe(true);
    expect(printed.key_id).toMatch(/^key_/);
  });

  it('prints the key with a warning in text mode', async () => {
    const result = await admin('key', 'create', 'usr_text', '--expires-at', '2099-06-01T12:00:00+02:00');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^key_id: +key_\S+\nprincipal_id: +usr_text\napi_key: +ak_\S{43}\n$/);
    expect(result.stderr).toContain('shown only this once');
    const listed = JSON.parse((await admin('key', 'list', 'usr_text', '--json')).stdout);
    expect(listed).toEqual([expect.objectContaining({ expires_at: '2099-06-01T10:00:00.000Z', status: 'active' })]);
  });

  it('lists keys without ever printing them', async () => {
    const first = JSON.parse((await admin('key', 'create', 'usr_list', '--json')).stdout);
    const second = JSON.parse((await admin('key', 'create', 'usr_list', '--json')).stdout);
    const text = await admin('key', 'list', 'usr_list');
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^KEY_ID +STATUS +EXPIRES_AT +CREATED_AT +LAST4$/);
    for (const key of [first, second]) {
      expect(text.stdout).toContain(key.key_id);
      expect(text.stdout).toContain(key.api_key.slice(-4));
      expect(text.stdout).not.toContain(key.api_key);
    }
    const json = await admin('key', 'list', 'usr_list', '--json');
    const listed = JSON.parse(json.stdout);
    expect(listed.map((k: { key_id: string }) => k.key_id)).toEqual([first.key_id, second.key_id]);
    expect(Object.keys(listed[0]).sort()).toEqual(['created_at', 'expires_at', 'key_id', 'last4', 'status']);
    expect(json.stdout).not.toContain(first.api_key);
    expect(await admin('key', 'list', 'usr_nobody')).toMatchObject({ code: 0, stdout: 'usr_nobody has no API keys\n' });
  });

  it('pauses, resumes and revokes; a revoked key stays revoked', async () => {
    const { key_id } = JSON.parse((await admin('key', 'create', 'usr_states', '--json')).stdout);
    expect((await admin('key', 'pause', key_id)).stdout).toBe(`${key_id} is now paused\n`);
    expect((await admin('key', 'pause', key_id)).stdout).toBe(`${key_id} was already paused\n`);
    expect((await admin('key', 'resume', key_id)).stdout).toBe(`${key_id} is now active\n`);
    expect((await admin('key', 'revoke', key_id)).stdout).toBe(`${key_id} is now deactivated\n`);
    expectFailure(await admin('key', 'resume', key_id), 1, /revoked; revocation is final/);
    expectFailure(await admin('key', 'pause', key_id), 1, /revoked/);
    expect(JSON.parse((await admin('key', 'list', 'usr_states', '--json')).stdout)[0].status).toBe('deactivated');
  });

  it('exits 3 for an unknown key id', async () => {
    expectFailure(await admin('key', 'revoke', 'key_doesNotExist01'), 3, /API key key_doesNotExist01 does not exist/);
  });
});

describe('files-admin without Firestore', () => {
  it('says Firestore is unreachable, naming the host, and exits 1', async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const result = await runFilesAdmin(['org', 'create', 'org_offline'], { ...env, FIRESTORE_EMULATOR_HOST: host });
    expectFailure(result, 1, new RegExp(`Firestore unreachable: .*${host.replace(/\./g, '\\.')}`));
  });
});
