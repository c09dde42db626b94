import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { accountEmail, ACCOUNTS, FILES_MAX_INSTANCES, functionUrl } from '../../scripts/deploy/names';
import { parseDeployOptions } from '../../scripts/deploy/options';
import { BUCKET_CORS_FILE, BUCKET_LIFECYCLE_FILE, deployPlan, RUNTIME } from '../../scripts/deploy/plan';
import { exampleArgv, type ShellCommand } from '../../scripts/deploy/shell';
import { findGcloud, offlineGcloudEnv, parseOffline } from './offline-gcloud';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const main = join(root, 'dist', 'scripts', 'deploy', 'main.js');
const ARGS = ['--project', 'demo-proj', '--region', 'europe-west1'];

async function dryRun(...extra: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [main, ...ARGS, '--dry-run', ...extra], { cwd: root });
  return stdout;
}

const options = (...extra: string[]) => parseDeployOptions([...ARGS, ...extra]);
const email = (account: keyof typeof ACCOUNTS) => accountEmail(options(), account);

let script: string;
let gatewayOnly: string;
beforeAll(async () => {
  [script, gatewayOnly] = await Promise.all([dryRun(), dryRun('--gateway-only')]);
});

describe('npm run deploy -- --dry-run', () => {
  it('prints a bash script that parses, and runs nothing', async () => {
    expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    await run('bash', ['-n', '-c', script]);
    await run('bash', ['-n', '-c', gatewayOnly]);
  });

  it('has no placeholder: every name and URL is known before anything exists', () => {
    expect(script).not.toMatch(/<[A-Za-z_ -]+>|PROJECT_(ID|NUMBER)|YOUR_|\bREGION\b|example\.com|TODO/);
    expect(script).toContain(functionUrl(options(), 'sweep'));
    expect(functionUrl(options(), 'files')).toBe('https://europe-west1-demo-proj.cloudfunctions.net/files');
  });

  it('deploys the five functions, 2nd gen on nodejs24, from the bundle', () => {
    const deploys = script.split('\n').filter((line) => line.startsWith('gcloud functions deploy '));
    expect(deploys.map((line) => line.split(' ')[3])).toEqual(['files', 'finalize', 'sweep', 'deliver', 'relay']);
    for (const line of deploys) {
      expect(line).toContain(' --gen2 ');
      expect(line).toContain(` --runtime=${RUNTIME} `);
      expect(line).toContain(' --source=dist/deploy ');
      expect(line).toContain(' --region=europe-west1 ');
      expect(line).toContain(
        ' --set-env-vars=FILES_BUCKET=demo-proj-files,GOOGLE_CLOUD_PROJECT=demo-proj,TRUSTED_PROXY_HOPS=1,FILES_TIMEOUT_SECONDS=60 ',
      );
    }
    expect(RUNTIME).toBe('nodejs24');
    expect(script.indexOf('npm run bundle')).toBeLessThan(script.indexOf('gcloud functions deploy'));
    const [files, finalize, sweep, deliver, relay] = deploys;
    expect(files).toContain(' --trigger-http ');
    expect(files).toContain(' --allow-unauthenticated ');
    // Rate limits are per instance: the deploy bounds the instances (docs/ABUSE-LIMITS.md).
    expect(files).toContain(` --max-instances=${FILES_MAX_INSTANCES} `);
    expect(finalize).toContain(
      ' --trigger-event-filters=type=google.cloud.storage.object.v1.finalized --trigger-event-filters=bucket=demo-proj-files ',
    );
    expect(finalize).toContain(` --trigger-service-account=${email('events')} `);
    expect(sweep).toContain(' --trigger-http ');
    expect(sweep).toContain(' --no-allow-unauthenticated ');
    for (const line of [deliver, relay]) {
      expect(line).toContain(' --trigger-http ');
      expect(line).toContain(' --no-allow-unauthenticated ');
    }
    for (const [line, account] of [
      [files, 'files'],
      [finalize, 'finalize'],
      [sweep, 'sweep'],
      [deliver, 'deliver'],
      [relay, 'relay'],
    ] as const) {
      expect(line).toContain(` --service-account=${email(account)} `);
    }
  });

  it('schedules the sweep with an OIDC token for its URL, creating or updating the job', () => {
    const sweepUrl = 'https://europe-west1-demo-proj.cloudfunctions.net/sweep';
    for (const verb of ['create', 'update']) {
      const line = script.split('\n').find((l) => l.trim().startsWith(`gcloud scheduler jobs ${verb} http files-api-sweep `));
      expect(line).toContain(` --uri=${sweepUrl} `);
      expect(line).toContain(` --http-method=POST `);
      expect(line).toContain(` --oidc-service-account-email=${email('scheduler')} `);
      expect(line).toContain(` --oidc-token-audience=${sweepUrl} `);
    }
  });

  it('queues webhooks on a topic whose push subscription calls deliver with an OIDC token, retried with backoff; relays every minute', () => {
    const deliverUrl = 'https://europe-west1-demo-proj.cloudfunctions.net/deliver';
    const create = script.split('\n').find((l) => l.trim().startsWith('gcloud pubsub subscriptions create files-api-webhooks-push '));
    expect(create).toContain(' --topic=files-api-webhooks ');
    for (const verb of ['create', 'update']) {
      const line = script.split('\n').find((l) => l.trim().startsWith(`gcloud pubsub subscriptions ${verb} files-api-webhooks-push `));
      expect(line).toContain(` --push-endpoint=${deliverUrl} `);
      expect(line).toContain(` --push-auth-service-account=${email('pusher')} `);
      expect(line).toContain(' --min-retry-delay=10s --max-retry-delay=600s --message-retention-duration=7d ');
    }
    const relayUrl = 'https://europe-west1-demo-proj.cloudfunctions.net/relay';
    const job = script.split('\n').find((l) => l.trim().startsWith('gcloud scheduler jobs create http files-api-relay '));
    expect(job).toContain(" '--schedule=* * * * *' ");
    expect(job).toContain(` --uri=${relayUrl} `);
  });

  it('makes the bucket private and tidy: uniform access, no public access, CORS, a lifecycle', () => {
    expect(script).toContain(
      'gcloud storage buckets create gs://demo-proj-files --location=europe-west1 --uniform-bucket-level-access --public-access-prevention ',
    );
    expect(script).toContain(
      `gcloud storage buckets update gs://demo-proj-files --uniform-bucket-level-access --public-access-prevention --cors-file=${BUCKET_CORS_FILE} --lifecycle-file=${BUCKET_LIFECYCLE_FILE} `,
    );
    const cors = JSON.parse(readFileSync(join(root, BUCKET_CORS_FILE), 'utf8'));
    expect(cors[0].method).toEqual(expect.arrayContaining(['PUT', 'GET', 'OPTIONS']));
    expect(cors[0].responseHeader).toEqual(expect.arrayContaining(['Content-Range', 'Range', 'X-Goog-Resumable']));
    const lifecycle = JSON.parse(readFileSync(join(root, BUCKET_LIFECYCLE_FILE), 'utf8'));
    for (const rule of lifecycle.rule) expect(rule.condition.age).toBeLessThanOrEqual(7);
    expect(lifecycle.rule.map((r: { action: { type: string } }) => r.action.type)).toEqual(['AbortIncompleteMultipartUpload', 'Delete']);
  });

  it("sets up Firestore from the repository's own files: every composite index, every field override and TTL, the rules", () => {
    const indexes = JSON.parse(readFileSync(join(root, 'firestore.indexes.json'), 'utf8'));
    const creates = script.split('\n').filter((l) => l.includes('gcloud firestore indexes composite create'));
    expect(creates).toHaveLength(indexes.indexes.length);
    indexes.indexes.forEach((index: { collectionGroup: string; fields: { fieldPath: string; order: string }[] }, i: number) => {
      const fields = index.fields.map((f) => `--field-config=field-path=${f.fieldPath},order=${f.order.toLowerCase()}`).join(' ');
      expect(creates[i]).toContain(`--collection-group=${index.collectionGroup} `);
      expect(creates[i]).toContain(fields);
    });
    const patches = script
      .split('\n')
      .filter((l) => l.startsWith('curl -sSf -o /dev/null -X PATCH ') && l.includes('firestore.googleapis.com'));
    expect(patches).toHaveLength(indexes.fieldOverrides.length);
    const ttl = patches.find((l) => l.includes('/collectionGroups/idempotency_keys/fields/expire_at?updateMask=indexConfig,ttlConfig'));
    expect(ttl).toContain(`-d '{"indexConfig":{"indexes":[]},"ttlConfig":{}}'`);
    for (const override of indexes.fieldOverrides) {
      expect(
        patches.some((l) => l.includes(`/databases/(default)/collectionGroups/${override.collectionGroup}/fields/${override.fieldPath}?`)),
      ).toBe(true);
    }
    expect(script).toContain('readFileSync("firestore.rules"');
    expect(script).toContain('https://firebaserules.googleapis.com/v1/projects/demo-proj/releases/cloud.firestore');
  });

  it("runs the contract's generator as printed, and its document sends every path to files", async () => {
    const line = script.split('\n').find((l) => l.startsWith('node scripts/gateway-openapi.js ')) as string;
    const out = join(mkdtempSync(join(tmpdir(), 'gateway-doc-')), 'files-api.yaml');
    const argv = line
      .split(' ')
      .slice(1)
      .map((word) => (word === 'dist/gateway/files-api.yaml' ? out : word));
    await run(process.execPath, argv, { cwd: root });
    const document = JSON.parse(readFileSync(out, 'utf8'));
    rmSync(join(out, '..'), { recursive: true, force: true });
    expect(document['x-google-backend']).toEqual({
      address: functionUrl(options(), 'files'),
      path_translation: 'APPEND_PATH_TO_ADDRESS',
      deadline: 60,
    });
    expect(Object.keys(document.paths).length).toBeGreaterThan(3);
    expect(document.security).toBeUndefined();
  });

  it('puts API Gateway in front of files, with a config made from the generated document', () => {
    expect(script).toContain(
      'node scripts/gateway-openapi.js --backend https://europe-west1-demo-proj.cloudfunctions.net/files --deadline 60 --out dist/gateway/files-api.yaml',
    );
    expect(script).toContain('gcloud api-gateway apis create files-api ');
    expect(script).toContain(`--openapi-spec=dist/gateway/files-api.yaml --backend-auth-service-account=${email('gateway')} `);
    expect(script).toContain(
      'gcloud api-gateway gateways create files-api --api=files-api "--api-config=$config" --location=europe-west1 ',
    );
    expect(script).toContain(
      'gcloud api-gateway gateways update files-api --api=files-api "--api-config=$config" --location=europe-west1 ',
    );
  });

  it('grants exactly the least-privilege roles, each on the narrowest resource; owner and editor nowhere', () => {
    const bindings = (text: string) =>
      text
        .split('\n')
        .map((l) => l.trim().replace(/^(retry|ok_if '[^']*') /, ''))
        .filter((l) => / (add|remove)-iam-policy-binding /.test(l))
        .map((l) => {
          const [, what, verb, resource] = /^gcloud (.+?) (add|remove)-iam-policy-binding (\S+)/.exec(l) ?? [];
          const member = /"?--member=([^" ]+)/.exec(l)?.[1];
          const role = /--role=(\S+)/.exec(l)?.[1];
          return `${verb} ${what} ${resource} ${member} ${role}`;
        })
        .sort();
    const sa = (account: keyof typeof ACCOUNTS) => `serviceAccount:${email(account)}`;
    const granted = [
      `add storage buckets gs://demo-proj-files ${sa('files')} roles/storage.objectUser`,
      `add storage buckets gs://demo-proj-files ${sa('finalize')} roles/storage.objectUser`,
      `add storage buckets gs://demo-proj-files ${sa('sweep')} roles/storage.objectUser`,
      `add projects demo-proj ${sa('files')} roles/datastore.user`,
      `add projects demo-proj ${sa('finalize')} roles/datastore.user`,
      `add projects demo-proj ${sa('sweep')} roles/datastore.user`,
      `add projects demo-proj ${sa('deliver')} roles/datastore.user`,
      `add projects demo-proj ${sa('relay')} roles/datastore.user`,
      `add pubsub topics files-api-webhooks ${sa('files')} roles/pubsub.publisher`,
      `add pubsub topics files-api-webhooks ${sa('finalize')} roles/pubsub.publisher`,
      `add pubsub topics files-api-webhooks ${sa('sweep')} roles/pubsub.publisher`,
      `add pubsub topics files-api-webhooks ${sa('relay')} roles/pubsub.publisher`,
      `add run services deliver ${sa('pusher')} roles/run.invoker`,
      `add run services relay ${sa('scheduler')} roles/run.invoker`,
      `add projects demo-proj ${sa('events')} roles/eventarc.eventReceiver`,
      `add projects demo-proj ${sa('build')} roles/cloudbuild.builds.builder`,
      'add projects demo-proj serviceAccount:$storage_agent roles/pubsub.publisher',
      `add iam service-accounts ${email('files')} ${sa('files')} roles/iam.serviceAccountTokenCreator`,
      `add secrets files-api-page-token ${sa('files')} roles/secretmanager.secretAccessor`,
      `add run services files ${sa('gateway')} roles/run.invoker`,
      `add run services finalize ${sa('events')} roles/run.invoker`,
      `add run services sweep ${sa('scheduler')} roles/run.invoker`,
    ];
    expect(bindings(script)).toEqual([...granted, 'add run services files allUsers roles/run.invoker'].sort());
    expect(bindings(gatewayOnly)).toEqual([...granted, 'remove run services files allUsers roles/run.invoker'].sort());
    for (const text of [script, gatewayOnly]) expect(text).not.toMatch(/roles\/(owner|editor)\b/);
    expect(script).toContain('storage_agent=$(gcloud storage service-agent --project=demo-proj --quiet)');
  });

  it('--gateway-only: files answers only the gateway', () => {
    const files = gatewayOnly.split('\n').find((l) => l.startsWith('gcloud functions deploy files '));
    expect(files).toContain(' --no-allow-unauthenticated ');
    expect(files).not.toContain(' --allow-unauthenticated ');
    // Every request then comes through the gateway, which records the client before Google's front end records it.
    expect(files).toContain(',TRUSTED_PROXY_HOPS=2,');
  });

  it('refuses bad usage with exit 2, before anything', async () => {
    for (const args of [
      ['--region', 'europe-west1'],
      [...ARGS, '--public', '--gateway-only'],
      [...ARGS, '--bucket', 'Bad_Bucket'],
      [...ARGS, '--regoin', 'x'],
    ]) {
      await expect(run(process.execPath, [main, ...args, '--dry-run'])).rejects.toMatchObject({ code: 2 });
    }
  });

  it('names only local files that exist', () => {
    for (const file of [BUCKET_CORS_FILE, BUCKET_LIFECYCLE_FILE, 'firestore.rules', 'firestore.indexes.json'])
      expect(existsSync(join(root, file))).toBe(true);
  });
});

describe('every gcloud command it prints, parsed by the installed gcloud offline', () => {
  const gcloud = findGcloud();
  const env = offlineGcloudEnv();
  afterAll(() => rmSync(env.CLOUDSDK_CONFIG as string, { recursive: true, force: true }));

  // Commands that differ only in the account they name, or its display name, parse alike: one of each shape.
  function shapes(commands: ShellCommand[]): string[][] {
    const unique = new Map<string, string[]>();
    for (const command of commands) {
      const argv = exampleArgv(command).slice(1);
      unique.set(
        argv
          .join(' ')
          .replace(/files-api-[a-z]+/g, 'files-api-X')
          .replace(/--display-name=files API: \w+/, '--display-name=X'),
        argv,
      );
    }
    return [...unique.values()];
  }
  const commands = shapes([...deployPlan(options(), root), ...deployPlan(options('--gateway-only'), root)].flatMap((s) => s.commands));

  async function parseAll(list: string[][]) {
    const results: { argv: string[]; accepted: boolean; code: number | null; stderr: string }[] = [];
    let next = 0;
    // Two at a time: gcloud takes about a second of CPU to start. Results keep the order of `list`.
    await Promise.all(
      [0, 1].map(async () => {
        for (let i = next++; i < list.length; i = next++) results[i] = { argv: list[i], ...(await parseOffline(gcloud, env, list[i])) };
      }),
    );
    return results;
  }

  it('tells a wrong flag or a wrong choice from a right command', async () => {
    const files = commands.find((argv) => argv[0] === 'functions' && argv[2] === 'files') as string[];
    const index = commands.find((argv) => argv.includes('composite')) as string[];
    const [right, wrongFlag, wrongChoice] = await parseAll([
      files,
      files.map((w) => (w.startsWith('--runtime=') ? w.replace('--runtime=', '--run-time=') : w)),
      index.map((w) => (w.startsWith('--query-scope=') ? '--query-scope=collections' : w)),
    ]);
    expect(right).toMatchObject({ accepted: true, code: 1 });
    expect(wrongFlag).toMatchObject({ accepted: false, code: 2 });
    expect(wrongFlag.stderr).toContain('unrecognized arguments: --run-time=nodejs24');
    expect(wrongChoice).toMatchObject({ accepted: false, code: 2 });
    expect(wrongChoice.stderr).toMatch(/Invalid choice: 'collections'/i);
  }, 600_000);

  it(`accepts all of them`, async () => {
    expect(commands.length).toBeGreaterThan(20);
    const rejected = (await parseAll(commands)).filter((r) => !r.accepted).map((r) => `gcloud ${r.argv.join(' ')}\n${r.stderr}`);
    expect(rejected).toEqual([]);
  }, 600_000);
});
