import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The deploy script's own logic (create when missing, update when there, tolerate
// "already exists", the rules release, the hashed gateway config) run by bash
// against stand-ins for gcloud, curl and npm that record what they are asked and
// answer as Google would for an empty project, then for a deployed one.
const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const main = join(root, 'dist', 'scripts', 'deploy', 'main.js');
const ARGS = ['--project', 'demo-proj', '--region', 'europe-west1'];

const FAKE_GCLOUD = `#!/usr/bin/env bash
echo "gcloud $*" >> "$FAKE_LOG"
args=" $* "
case "$args" in
  *" --version "*) exit 0 ;;
  *" describe "*)
    [[ $FAKE_EXISTS == 1 ]] || { echo "ERROR: NOT_FOUND" >&2; exit 1; }
    [[ $args == *"--format=value(defaultHostname)"* ]] && echo files-api-1a2b3c.ew.gateway.dev
    exit 0 ;;
  *" storage service-agent "*) echo service-123456789012@gs-project-accounts.iam.gserviceaccount.com ;;
  # --data-file=- reads the secret from stdin, as gcloud does: a writer into a closed pipe would fail the pipeline.
  *" secrets create "*) cat >/dev/null ;;
  *" auth print-access-token "*) echo fake-token ;;
  *" indexes composite create "*)
    [[ $FAKE_EXISTS == 1 ]] && { echo "ERROR: (gcloud.firestore.indexes.composite.create) ALREADY_EXISTS: index already exists" >&2; exit 1; } ;;
  *" remove-iam-policy-binding "*)
    [[ $FAKE_EXISTS == 1 ]] || { echo "ERROR: Policy binding with the specified principal, role, and condition not found!" >&2; exit 1; } ;;
esac
exit 0
`;
const FAKE_CURL = `#!/usr/bin/env bash
echo "curl $*" >> "$FAKE_LOG"
args=" $* "
if [[ $args == *"/rulesets "* ]]; then cat >/dev/null; echo '{"name":"projects/demo-proj/rulesets/r-1"}'; exit 0; fi
# A release that does not exist yet cannot be updated (curl -f exits 22 on the 404).
if [[ $args == *" PATCH "* && $args == *"/releases/"* && $FAKE_EXISTS != 1 ]]; then exit 22; fi
exit 0
`;
const FAKE_NPM = `#!/usr/bin/env bash
echo "npm $*" >> "$FAKE_LOG"
`;

let bin: string;
beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'deploy-fakes-'));
  for (const [name, text] of [
    ['gcloud', FAKE_GCLOUD],
    ['curl', FAKE_CURL],
    ['npm', FAKE_NPM],
  ]) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

async function deploy(
  how: 'npm run deploy' | 'the printed script',
  exists: boolean,
  extra: string[] = [],
): Promise<{ calls: string[]; stdout: string }> {
  const log = join(bin, `calls-${exists}-${extra.join('')}.log`);
  writeFileSync(log, '');
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_LOG: log, FAKE_EXISTS: exists ? '1' : '0' };
  let stdout: string;
  if (how === 'npm run deploy') {
    ({ stdout } = await run(process.execPath, [main, ...ARGS, ...extra], { cwd: root, env }));
  } else {
    const { stdout: script } = await run(process.execPath, [main, ...ARGS, ...extra, '--dry-run'], { cwd: root });
    ({ stdout } = await run('bash', ['-c', script], { cwd: root, env }));
  }
  return { calls: readFileSync(log, 'utf8').trim().split('\n'), stdout };
}

const count = (calls: string[], text: string) => calls.filter((c) => c.includes(text)).length;
const indexes = JSON.parse(readFileSync(join(root, 'firestore.indexes.json'), 'utf8'));
// The rules: a ruleset, then its release (updated, or created when there is none yet); one update per field override.
const curlCalls = (exists: boolean) => (exists ? 2 : 3) + indexes.fieldOverrides.length;

it('on an empty project: creates every resource, releases the rules, and names the config after its document', async () => {
  const { calls, stdout } = await deploy('npm run deploy', false);
  expect(calls[0]).toBe('gcloud --version');
  expect(calls).toContain('npm run bundle --silent');
  expect(count(calls, 'gcloud iam service-accounts create ')).toBe(10);
  for (const created of [
    'storage buckets create gs://demo-proj-files ',
    'firestore databases create ',
    'scheduler jobs create http files-api-sweep ',
    'scheduler jobs create http files-api-relay ',
    'pubsub topics create files-api-webhooks',
    'pubsub subscriptions create ',
    'api-gateway apis create files-api ',
    'api-gateway gateways create files-api ',
  ]) {
    expect(count(calls, `gcloud ${created}`)).toBe(1);
  }
  expect(count(calls, 'gcloud functions deploy ')).toBe(5);
  expect(count(calls, 'curl ')).toBe(curlCalls(false));
  expect(calls.some((c) => c.startsWith('curl ') && c.includes(' -X POST ') && c.endsWith('/v1/projects/demo-proj/releases'))).toBe(true);
  const document = readFileSync(join(root, 'dist', 'gateway', 'files-api.yaml'));
  const config = `files-api-${createHash('sha256').update(document).digest('hex').slice(0, 12)}`;
  expect(calls).toContainEqual(expect.stringContaining(`gcloud api-gateway api-configs create ${config} --api=files-api `));
  expect(calls).toContainEqual(
    expect.stringContaining(`gcloud api-gateway gateways create files-api --api=files-api --api-config=${config} `),
  );
  expect(calls).toContainEqual(
    expect.stringContaining(
      '--member=serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com --role=roles/pubsub.publisher',
    ),
  );
  expect(stdout).toContain('function files: https://europe-west1-demo-proj.cloudfunctions.net/files');
});

it('on a deployed project, run again as printed: updates instead of creating, and goes through to the end', async () => {
  const { calls, stdout } = await deploy('the printed script', true, ['--gateway-only']);
  for (const created of [
    'iam service-accounts create',
    'storage buckets create',
    'firestore databases create',
    'scheduler jobs create',
    'api-gateway apis create',
    'api-gateway api-configs create',
    'api-gateway gateways create',
  ]) {
    expect(count(calls, `gcloud ${created} `)).toBe(0);
  }
  expect(count(calls, 'gcloud storage buckets update gs://demo-proj-files ')).toBe(1);
  expect(count(calls, 'gcloud scheduler jobs update http files-api-sweep ')).toBe(1);
  expect(count(calls, 'gcloud api-gateway gateways update files-api ')).toBe(1);
  expect(count(calls, 'gcloud firestore indexes composite create ')).toBe(indexes.indexes.length);
  expect(count(calls, 'gcloud run services remove-iam-policy-binding files ')).toBe(1);
  expect(count(calls, 'curl ')).toBe(curlCalls(true));
  expect(stdout).toContain('(unchanged: already exists)');
  expect(stdout).toContain('API Gateway:    https://files-api-1a2b3c.ew.gateway.dev');
});
