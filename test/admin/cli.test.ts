import { Firestore } from '@google-cloud/firestore';
import { freePort } from '../../emulator/free-port';
import { isWellFormedApiKey } from '../../functions/domain/api-key';
import { DEFAULT_AUTH_CACHE_TTL_SECONDS } from '../../functions/config';
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
    for (const command of [
      'org create',
      'org list',
      'org show',
      'org limits set',
      'member add',
      'member remove',
      'member list',
      'key create',
      'key pause',
      'key resume',
      'key revoke',
      'key list',
      'file backfill-search',
      'webhook list',
    ]) {
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
  [['org', 'create', 'x'.repeat(129)], /invalid organization id "x+": expected 1-128 letters/],
  [['org', 'limits'], /unknown command "org limits"; expected one of .*limits set/],
  [['org', 'limits', 'set'], /missing <organization_id>/],
  [['org', 'limits', 'set', 'org_x'], /nothing to set/],
  [['org', 'limits', 'set', 'org_x', '--max-open-sessions', '0'], /invalid --max-open-sessions "0"/],
  [['org', 'limits', 'set', 'org_x', '--max-stored-bytes', '1e9'], /invalid --max-stored-bytes "1e9"/],
  [['org', 'show'], /missing <organization_id>/],
  [['member', 'list'], /missing <organization_id>/],
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
  // These touch no Firestore and are independent: run four at a time (not all at once, which a busy
  // two-core machine takes longer than a command's timeout to start), assert one by one.
  const results: CliResult[] = [];
  beforeAll(async () => {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < USAGE_ERRORS.length; i = next++) results[i] = await admin(...USAGE_ERRORS[i][0]);
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
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
    expect(listed).toEqual([expect.objectContaining({ expires_at: '2099-06-01T10:00:00Z', status: 'active' })]);
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
    const revoked = await admin('key', 'revoke', key_id);
    expect(revoked.stdout).toBe(`${key_id} is now revoked\n`);
    expect(revoked.stderr).toContain(`Takes effect within ${DEFAULT_AUTH_CACHE_TTL_SECONDS} s on every instance of the function`);
    expectFailure(await admin('key', 'resume', key_id), 1, /revoked; revocation is final/);
    expectFailure(await admin('key', 'pause', key_id), 1, /revoked/);
    expect(JSON.parse((await admin('key', 'list', 'usr_states', '--json')).stdout)[0].status).toBe('revoked');
    expect((await admin('key', 'list', 'usr_states')).stdout).toContain(' revoked ');
  });

  it('exits 3 for an unknown key id', async () => {
    expectFailure(await admin('key', 'revoke', 'key_doesNotExist01'), 3, /API key key_doesNotExist01 does not exist/);
  });
});

describe('files-admin inspects and limits organizations', () => {
  it('lists organizations and members, shows one with its quotas and usage, and sets its limits', async () => {
    await admin('org', 'create', 'org_ops', '--name', 'Ops');
    await admin('member', 'add', 'org_ops', 'usr_ops1', '--role', 'owner');
    await admin('member', 'add', 'org_ops', 'usr_ops2');
    const listed = JSON.parse((await admin('org', 'list', '--json')).stdout);
    expect(listed).toContainEqual({
      organization_id: 'org_ops',
      name: 'Ops',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect((await admin('org', 'list')).stdout).toMatch(/^ORGANIZATION_ID +NAME +CREATED_AT\n(.*\n)*org_ops +Ops +\S+Z\n/);

    const members = JSON.parse((await admin('member', 'list', 'org_ops', '--json')).stdout);
    expect(members.map((m: { user_id: string; role: string }) => [m.user_id, m.role])).toEqual([
      ['usr_ops1', 'owner'],
      ['usr_ops2', 'member'],
    ]);
    expect((await admin('member', 'list', 'org_ops')).stdout.split('\n')[0]).toMatch(/^USER_ID +ROLE +CREATED_AT$/);
    expectFailure(await admin('member', 'list', 'org_nowhere'), 3, /organization org_nowhere does not exist/);
    expect((await admin('webhook', 'list', 'org_ops')).stdout).toBe('org_ops has no webhook endpoints\n');
    expect(JSON.parse((await admin('webhook', 'list', 'org_ops', '--json')).stdout)).toEqual([]);

    const before = await admin('org', 'show', 'org_ops');
    expect(before.stdout).toContain('members:            2\n');
    expect(before.stdout).toContain('open_sessions:      0 of default\n');
    expect(before.stderr).toContain('DEFAULT_MAX_OPEN_SESSIONS');

    expect(await admin('org', 'limits', 'set', 'org_ops', '--max-open-sessions', '5')).toMatchObject({
      code: 0,
      stdout: 'org_ops: max_open_sessions 5, max_stored_bytes default\n',
    });
    expect((await admin('org', 'limits', 'set', 'org_ops', '--max-stored-bytes', '1000000')).stdout).toBe(
      'org_ops: max_open_sessions 5, max_stored_bytes 1000000\n',
    );
    const shown = JSON.parse((await admin('org', 'show', 'org_ops', '--json')).stdout);
    expect(shown).toMatchObject({
      organization_id: 'org_ops',
      members: 2,
      limits: { max_open_sessions: 5, max_stored_bytes: 1000000 },
      usage: { open_sessions: 0, stored_bytes: 0 },
    });
    expectFailure(
      await admin('org', 'limits', 'set', 'org_nowhere', '--max-open-sessions', '5'),
      3,
      /organization org_nowhere does not exist/,
    );
    expectFailure(await admin('org', 'show', 'org_nowhere'), 3, /organization org_nowhere does not exist/);
  });
});

describe('files-admin without Firestore', () => {
  it('says what to set when it has neither an emulator nor a project, and exits 2', async () => {
    const result = await runFilesAdmin(['org', 'list'], { FIRESTORE_EMULATOR_HOST: '', GOOGLE_CLOUD_PROJECT: '', GCLOUD_PROJECT: '' });
    expectFailure(result, 2, /set FIRESTORE_EMULATOR_HOST=host:port .* or GOOGLE_CLOUD_PROJECT=P \(or --project P\)/);
  });

  it('says Firestore is unreachable, naming the host, and exits 1', async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const result = await runFilesAdmin(['org', 'create', 'org_offline'], { ...env, FIRESTORE_EMULATOR_HOST: host });
    expectFailure(result, 1, new RegExp(`Firestore unreachable: .*${host.replace(/\./g, '\\.')}`));
  });
});
