import { dirname } from 'node:path';
import { readFirestoreIndexes } from './firestore-setup';
import {
  accountEmail,
  ACCOUNTS,
  API_ID,
  FILES_MAX_INSTANCES,
  FILES_TIMEOUT_SECONDS,
  functionUrl,
  GATEWAY_ID,
  PAGE_TOKEN_SECRET,
  RELAY_JOB,
  RELAY_SCHEDULE,
  SWEEP_JOB,
  SWEEP_SCHEDULE,
  WEBHOOK_SUBSCRIPTION,
  WEBHOOK_TOPIC,
  type Account,
  type FunctionName,
} from './names';
import type { DeployOptions } from './options';
import { quote, render, type ShellCommand, type Word } from './shell';

/** One part of the deployment: the bash that does it, and every gcloud command in it (for tests to parse). */
export interface Step {
  title: string;
  lines: string[];
  commands: ShellCommand[];
}

export const RUNTIME = 'nodejs24';
export const SOURCE_DIR = 'dist/deploy';
export const GATEWAY_DOCUMENT = 'dist/gateway/files-api.yaml';
export const BUCKET_CORS_FILE = 'scripts/deploy/bucket-cors.json';
export const BUCKET_LIFECYCLE_FILE = 'scripts/deploy/bucket-lifecycle.json';

const APIS = [
  'cloudfunctions.googleapis.com',
  'run.googleapis.com',
  'cloudbuild.googleapis.com',
  'artifactregistry.googleapis.com',
  'eventarc.googleapis.com',
  'pubsub.googleapis.com',
  'storage.googleapis.com',
  'firestore.googleapis.com',
  'firebaserules.googleapis.com',
  'cloudscheduler.googleapis.com',
  'apigateway.googleapis.com',
  'servicemanagement.googleapis.com',
  'servicecontrol.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'secretmanager.googleapis.com',
];

/** Shell helpers the script's lines use; defined once at its top. */
export const PRELUDE = [
  'set -euo pipefail',
  '# A service account just created takes a while to be visible to IAM: bindings retry.',
  'retry() { local wait; for wait in 5 10 20 40; do "$@" && return 0; echo "retrying in ${wait}s: $1 $2 $3 $4" >&2; sleep "$wait"; done; "$@"; }',
  '# Runs a command; a failure whose output matches the pattern means the state is already as wanted.',
  'ok_if() { local pattern=$1 out; shift; if out=$("$@" 2>&1); then printf \'%s\\n\' "$out"; elif grep -qiE "$pattern" <<<"$out"; then echo "(unchanged: $pattern)"; else printf \'%s\\n\' "$out" >&2; return 1; fi; }',
];

const STORAGE_AGENT: Word = {
  expand: 'serviceAccount:$storage_agent',
  example: 'serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com',
};
const CONFIG_ID: Word = { expand: '$config', example: 'files-api-0123456789ab' };
const GATEWAY_CONFIG: Word = { expand: '--api-config=$config', example: '--api-config=files-api-0123456789ab' };
const ACCESS_TOKEN: ShellCommand = ['gcloud', 'auth', 'print-access-token'];

/** Every command that changes something: existing resources are updated, missing ones created, so a second run converges. */
export function deployPlan(options: DeployOptions, root: string): Step[] {
  const { project, region, bucket } = options;
  const gcloud = (...words: Word[]): ShellCommand => ['gcloud', ...words, `--project=${project}`, '--quiet'];
  const sa = (account: Account) => `serviceAccount:${accountEmail(options, account)}`;
  const step = (title: string, lines: string[], commands: ShellCommand[]): Step => ({ title, lines, commands });
  const run = (title: string, ...commands: ShellCommand[]) => step(title, commands.map(render), commands);
  const withRetry = (title: string, ...commands: ShellCommand[]) =>
    step(
      title,
      commands.map((c) => `retry ${render(c)}`),
      commands,
    );
  const ensure = (title: string, describe: ShellCommand, create: ShellCommand, update?: ShellCommand) =>
    step(
      title,
      update
        ? [`if ${render(describe)} >/dev/null 2>&1; then`, `  ${render(update)}`, 'else', `  ${render(create)}`, 'fi']
        : [`${render(describe)} >/dev/null 2>&1 || ${render(create)}`],
      update ? [describe, create, update] : [describe, create],
    );
  const merge = (title: string, parts: Step[]) =>
    step(
      title,
      parts.flatMap((p) => p.lines),
      parts.flatMap((p) => p.commands),
    );
  const serviceInvoker = (service: FunctionName, member: string): ShellCommand =>
    gcloud('run', 'services', 'add-iam-policy-binding', service, `--region=${region}`, `--member=${member}`, '--role=roles/run.invoker');
  const projectRole = (member: Word, role: string): ShellCommand =>
    gcloud(
      'projects',
      'add-iam-policy-binding',
      project,
      typeof member === 'string'
        ? `--member=${member}`
        : { ...member, expand: `--member=${member.expand}`, example: `--member=${member.example}` },
      `--role=${role}`,
      '--condition=None',
    );
  const bucketRole = (account: Account, role: string): ShellCommand =>
    gcloud('storage', 'buckets', 'add-iam-policy-binding', `gs://${bucket}`, `--member=${sa(account)}`, `--role=${role}`);

  // Behind API Gateway only, the client's address is the second X-Forwarded-For entry from the end (the gateway
  // records it, Google's front end then records the gateway); reachable directly, the last (docs/ABUSE-LIMITS.md).
  const proxyHops = options.access === 'gateway-only' ? 2 : 1;
  // FILES_TIMEOUT_SECONDS: the sweep takes a direct upload older than the longest request for dead (docs/DIRECT-UPLOAD.md).
  const env = `--set-env-vars=FILES_BUCKET=${bucket},GOOGLE_CLOUD_PROJECT=${project},TRUSTED_PROXY_HOPS=${proxyHops},FILES_TIMEOUT_SECONDS=${FILES_TIMEOUT_SECONDS}`;
  const deployFunction = (name: FunctionName, ...flags: string[]): ShellCommand =>
    gcloud(
      'functions',
      'deploy',
      name,
      '--gen2',
      `--region=${region}`,
      `--runtime=${RUNTIME}`,
      `--source=${SOURCE_DIR}`,
      `--entry-point=${name}`,
      `--service-account=${accountEmail(options, name)}`,
      `--build-service-account=projects/${project}/serviceAccounts/${accountEmail(options, 'build')}`,
      env,
      ...flags,
    );
  const { composite, fields } = readFirestoreIndexes(root);
  const sweepUrl = functionUrl(options, 'sweep');
  const schedulerFlags = [
    `--location=${region}`,
    `--schedule=${SWEEP_SCHEDULE}`,
    '--time-zone=Etc/UTC',
    `--uri=${sweepUrl}`,
    '--http-method=POST',
    `--oidc-service-account-email=${accountEmail(options, 'scheduler')}`,
    `--oidc-token-audience=${sweepUrl}`,
    '--attempt-deadline=180s',
  ];
  const relayUrl = functionUrl(options, 'relay');
  const relayFlags = [
    `--location=${region}`,
    `--schedule=${RELAY_SCHEDULE}`,
    '--time-zone=Etc/UTC',
    `--uri=${relayUrl}`,
    '--http-method=POST',
    `--oidc-service-account-email=${accountEmail(options, 'scheduler')}`,
    `--oidc-token-audience=${relayUrl}`,
    '--attempt-deadline=60s',
  ];
  const deliverUrl = functionUrl(options, 'deliver');
  // Retries with exponential backoff from 10 s to 10 min, for as long as the message is kept (7 days): an endpoint
  // down for a day still gets every event; past 3 days of failures the function disables it (docs/WEBHOOKS.md).
  const pushFlags = [
    `--push-endpoint=${deliverUrl}`,
    `--push-auth-service-account=${accountEmail(options, 'pusher')}`,
    `--push-auth-token-audience=${deliverUrl}`,
    '--ack-deadline=60',
    '--min-retry-delay=10s',
    '--max-retry-delay=600s',
    '--message-retention-duration=7d',
    '--expiration-period=never',
  ];
  const gatewayDocument = [
    'node',
    'scripts/gateway-openapi.js',
    '--backend',
    functionUrl(options, 'files'),
    '--deadline',
    String(FILES_TIMEOUT_SECONDS),
    '--out',
    GATEWAY_DOCUMENT,
  ];
  const rulesApi = `https://firebaserules.googleapis.com/v1/projects/${project}`;
  // Calls of Google APIs gcloud has no command for, as the signed-in user, billed to the project.
  const apiHeaders = `-H "Authorization: Bearer $(${render(ACCESS_TOKEN)})" -H 'X-Goog-User-Project: ${project}' -H 'Content-Type: application/json'`;
  const fieldsApi = `https://firestore.googleapis.com/v1/projects/${project}/databases/(default)/collectionGroups`;
  const release = `projects/${project}/releases/cloud.firestore`;

  return [
    run('APIs the deployment uses', gcloud('services', 'enable', ...APIS)),
    step(
      'the bundle and the API Gateway document (local)',
      ['npm run bundle --silent', `mkdir -p ${dirname(GATEWAY_DOCUMENT)}`, render(gatewayDocument)],
      [],
    ),
    merge(
      'service accounts: one per function, one per caller of a function, one for builds',
      (Object.keys(ACCOUNTS) as Account[]).map((account) =>
        ensure(
          account,
          gcloud('iam', 'service-accounts', 'describe', accountEmail(options, account)),
          gcloud('iam', 'service-accounts', 'create', ACCOUNTS[account], `--display-name=files API: ${account}`),
        ),
      ),
    ),
    ensure(
      `bucket gs://${bucket}`,
      gcloud('storage', 'buckets', 'describe', `gs://${bucket}`),
      gcloud(
        'storage',
        'buckets',
        'create',
        `gs://${bucket}`,
        `--location=${region}`,
        '--uniform-bucket-level-access',
        '--public-access-prevention',
      ),
    ),
    run(
      `bucket gs://${bucket}: access, CORS and lifecycle`,
      gcloud(
        'storage',
        'buckets',
        'update',
        `gs://${bucket}`,
        '--uniform-bucket-level-access',
        '--public-access-prevention',
        `--cors-file=${BUCKET_CORS_FILE}`,
        `--lifecycle-file=${BUCKET_LIFECYCLE_FILE}`,
      ),
    ),
    withRetry(
      'bucket roles: the three functions read, write and delete objects',
      bucketRole('files', 'roles/storage.objectUser'),
      bucketRole('finalize', 'roles/storage.objectUser'),
      bucketRole('sweep', 'roles/storage.objectUser'),
    ),
    ensure(
      'Firestore database (default)',
      gcloud('firestore', 'databases', 'describe', '--database=(default)'),
      gcloud('firestore', 'databases', 'create', '--database=(default)', `--location=${region}`, '--type=firestore-native'),
    ),
    (() => {
      const commands = composite.map((index) =>
        gcloud(
          'firestore',
          'indexes',
          'composite',
          'create',
          `--collection-group=${index.collectionGroup}`,
          `--query-scope=${index.queryScope}`,
          ...index.fieldConfigs.map((f) => `--field-config=${f}`),
          '--database=(default)',
          '--async',
        ),
      );
      return step(
        'Firestore composite indexes (firestore.indexes.json)',
        commands.map((c) => `ok_if 'already exists' ${render(c)}`),
        commands,
      );
    })(),
    step(
      'Firestore single-field indexes and TTL policies (firestore.indexes.json), through the Firestore Admin API',
      fields.map(
        (f) =>
          `curl -sSf -o /dev/null -X PATCH ${apiHeaders} -d ${quote(JSON.stringify(f.body))} ${quote(`${fieldsApi}/${f.collectionGroup}/fields/${f.field}?updateMask=${f.updateMask.join(',')}`)}`,
      ),
      fields.length ? [ACCESS_TOKEN] : [],
    ),
    step(
      'Firestore rules (firestore.rules), through the Firebase Rules API',
      [
        `ruleset=$(node -e 'const fs = require("fs"); process.stdout.write(JSON.stringify({ source: { files: [{ name: "firestore.rules", content: fs.readFileSync("firestore.rules", "utf8") }] } }))' \\`,
        `  | curl -sSf -X POST ${apiHeaders} --data-binary @- ${rulesApi}/rulesets \\`,
        `  | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).name')`,
        `release=$(node -pe 'JSON.stringify({ name: process.argv[1], rulesetName: process.argv[2] })' ${release} "$ruleset")`,
        `curl -sSf -o /dev/null -X PATCH ${apiHeaders} -d "{\\"release\\":$release}" ${rulesApi}/releases/cloud.firestore \\`,
        `  || curl -sSf -o /dev/null -X POST ${apiHeaders} -d "$release" ${rulesApi}/releases`,
        'echo "released $ruleset"',
      ],
      [ACCESS_TOKEN],
    ),
    withRetry(
      'project roles: Firestore for the functions, event delivery, builds',
      projectRole(sa('files'), 'roles/datastore.user'),
      projectRole(sa('finalize'), 'roles/datastore.user'),
      projectRole(sa('sweep'), 'roles/datastore.user'),
      projectRole(sa('deliver'), 'roles/datastore.user'),
      projectRole(sa('relay'), 'roles/datastore.user'),
      projectRole(sa('events'), 'roles/eventarc.eventReceiver'),
      projectRole(sa('build'), 'roles/cloudbuild.builds.builder'),
    ),
    (() => {
      const agent = gcloud('storage', 'service-agent');
      const bind = projectRole(STORAGE_AGENT, 'roles/pubsub.publisher');
      return step(
        "Cloud Storage service agent publishes the bucket's events (Eventarc)",
        [`storage_agent=$(${render(agent)})`, `retry ${render(bind)}`],
        [agent, bind],
      );
    })(),
    withRetry(
      'files signs download URLs as itself (IAM signBlob)',
      gcloud(
        'iam',
        'service-accounts',
        'add-iam-policy-binding',
        accountEmail(options, 'files'),
        `--member=${sa('files')}`,
        '--role=roles/iam.serviceAccountTokenCreator',
      ),
    ),
    (() => {
      const describe = gcloud('secrets', 'describe', PAGE_TOKEN_SECRET);
      const create = gcloud('secrets', 'create', PAGE_TOKEN_SECRET, '--replication-policy=automatic', '--data-file=-');
      return step(
        `secret ${PAGE_TOKEN_SECRET}: the key of page tokens, 32 random bytes made here once and never shown`,
        [`${render(describe)} >/dev/null 2>&1 || head -c 32 /dev/urandom | base64 | tr -d '\\n' | ${render(create)}`],
        [describe, create],
      );
    })(),
    withRetry(
      `files reads the secret ${PAGE_TOKEN_SECRET}`,
      gcloud(
        'secrets',
        'add-iam-policy-binding',
        PAGE_TOKEN_SECRET,
        `--member=${sa('files')}`,
        '--role=roles/secretmanager.secretAccessor',
      ),
    ),
    ensure(
      `Pub/Sub topic ${WEBHOOK_TOPIC}: webhook deliveries, one message per event and endpoint`,
      gcloud('pubsub', 'topics', 'describe', WEBHOOK_TOPIC),
      gcloud('pubsub', 'topics', 'create', WEBHOOK_TOPIC),
    ),
    withRetry(
      `files, finalize and sweep (after a change) and relay (the catch-up) publish to ${WEBHOOK_TOPIC}, and nothing else`,
      gcloud('pubsub', 'topics', 'add-iam-policy-binding', WEBHOOK_TOPIC, `--member=${sa('files')}`, '--role=roles/pubsub.publisher'),
      gcloud('pubsub', 'topics', 'add-iam-policy-binding', WEBHOOK_TOPIC, `--member=${sa('finalize')}`, '--role=roles/pubsub.publisher'),
      gcloud('pubsub', 'topics', 'add-iam-policy-binding', WEBHOOK_TOPIC, `--member=${sa('sweep')}`, '--role=roles/pubsub.publisher'),
      gcloud('pubsub', 'topics', 'add-iam-policy-binding', WEBHOOK_TOPIC, `--member=${sa('relay')}`, '--role=roles/pubsub.publisher'),
    ),
    run(
      'function files (HTTP)',
      deployFunction(
        'files',
        '--trigger-http',
        options.access === 'public' ? '--allow-unauthenticated' : '--no-allow-unauthenticated',
        '--memory=512Mi',
        '--cpu=1',
        '--concurrency=80',
        // Rate limits are per instance: this bounds what N instances allow together (docs/ABUSE-LIMITS.md).
        `--max-instances=${FILES_MAX_INSTANCES}`,
        `--timeout=${FILES_TIMEOUT_SECONDS}s`,
        `--set-secrets=PAGE_TOKEN_SECRET=${PAGE_TOKEN_SECRET}:latest`,
      ),
    ),
    run(
      "function finalize (Eventarc: the bucket's finalized objects)",
      deployFunction(
        'finalize',
        '--trigger-event-filters=type=google.cloud.storage.object.v1.finalized',
        `--trigger-event-filters=bucket=${bucket}`,
        `--trigger-location=${region}`,
        `--trigger-service-account=${accountEmail(options, 'events')}`,
        '--retry',
        '--no-allow-unauthenticated',
        '--memory=512Mi',
        '--timeout=120s',
      ),
    ),
    run(
      'function sweep (HTTP, not public)',
      deployFunction('sweep', '--trigger-http', '--no-allow-unauthenticated', '--memory=256Mi', '--timeout=120s'),
    ),
    run(
      'function deliver (HTTP, not public): the push subscription sends each delivery to it',
      deployFunction(
        'deliver',
        '--trigger-http',
        '--no-allow-unauthenticated',
        '--memory=256Mi',
        '--concurrency=40',
        '--cpu=1',
        '--timeout=60s',
      ),
    ),
    run(
      'function relay (HTTP, not public): the scheduled catch-up of pending events',
      deployFunction('relay', '--trigger-http', '--no-allow-unauthenticated', '--memory=256Mi', '--timeout=60s'),
    ),
    (() => {
      const commands = [
        serviceInvoker('files', sa('gateway')),
        serviceInvoker('finalize', sa('events')),
        serviceInvoker('sweep', sa('scheduler')),
        serviceInvoker('deliver', sa('pusher')),
        serviceInvoker('relay', sa('scheduler')),
      ];
      const lines = commands.map((c) => `retry ${render(c)}`);
      const everyone =
        options.access === 'public'
          ? serviceInvoker('files', 'allUsers')
          : gcloud(
              'run',
              'services',
              'remove-iam-policy-binding',
              'files',
              `--region=${region}`,
              '--member=allUsers',
              '--role=roles/run.invoker',
            );
      lines.push(options.access === 'public' ? render(everyone) : `ok_if 'not found' ${render(everyone)}`);
      return step(`who may invoke which function (${options.access})`, lines, [...commands, everyone]);
    })(),
    ensure(
      `Cloud Scheduler job ${SWEEP_JOB}: POST sweep every 5 minutes with an OIDC token`,
      gcloud('scheduler', 'jobs', 'describe', SWEEP_JOB, `--location=${region}`),
      gcloud('scheduler', 'jobs', 'create', 'http', SWEEP_JOB, ...schedulerFlags),
      gcloud('scheduler', 'jobs', 'update', 'http', SWEEP_JOB, ...schedulerFlags),
    ),
    ensure(
      `Pub/Sub push subscription ${WEBHOOK_SUBSCRIPTION} to deliver, with an OIDC token, retried with backoff`,
      gcloud('pubsub', 'subscriptions', 'describe', WEBHOOK_SUBSCRIPTION),
      gcloud('pubsub', 'subscriptions', 'create', WEBHOOK_SUBSCRIPTION, `--topic=${WEBHOOK_TOPIC}`, ...pushFlags),
      gcloud('pubsub', 'subscriptions', 'update', WEBHOOK_SUBSCRIPTION, ...pushFlags),
    ),
    ensure(
      `Cloud Scheduler job ${RELAY_JOB}: POST relay every minute with an OIDC token`,
      gcloud('scheduler', 'jobs', 'describe', RELAY_JOB, `--location=${region}`),
      gcloud('scheduler', 'jobs', 'create', 'http', RELAY_JOB, ...relayFlags),
      gcloud('scheduler', 'jobs', 'update', 'http', RELAY_JOB, ...relayFlags),
    ),
    ensure(
      `API Gateway API ${API_ID}`,
      gcloud('api-gateway', 'apis', 'describe', API_ID),
      gcloud('api-gateway', 'apis', 'create', API_ID, '--display-name=files API'),
    ),
    (() => {
      const describe = gcloud('api-gateway', 'api-configs', 'describe', CONFIG_ID, `--api=${API_ID}`);
      const create = gcloud(
        'api-gateway',
        'api-configs',
        'create',
        CONFIG_ID,
        `--api=${API_ID}`,
        `--openapi-spec=${GATEWAY_DOCUMENT}`,
        `--backend-auth-service-account=${accountEmail(options, 'gateway')}`,
      );
      return step(
        "API Gateway config: named after its document's hash, so a changed document makes a new one",
        [`config=${API_ID}-$(sha256sum ${GATEWAY_DOCUMENT} | cut -c1-12)`, `${render(describe)} >/dev/null 2>&1 || ${render(create)}`],
        [describe, create],
      );
    })(),
    ensure(
      `API Gateway gateway ${GATEWAY_ID}`,
      gcloud('api-gateway', 'gateways', 'describe', GATEWAY_ID, `--location=${region}`),
      gcloud('api-gateway', 'gateways', 'create', GATEWAY_ID, `--api=${API_ID}`, GATEWAY_CONFIG, `--location=${region}`),
      gcloud('api-gateway', 'gateways', 'update', GATEWAY_ID, `--api=${API_ID}`, GATEWAY_CONFIG, `--location=${region}`),
    ),
    (() => {
      const hostname = gcloud('api-gateway', 'gateways', 'describe', GATEWAY_ID, `--location=${region}`, '--format=value(defaultHostname)');
      return step(
        'where the API answers',
        [`echo "function files: ${functionUrl(options, 'files')}"`, `echo "API Gateway:    https://$(${render(hostname)})"`],
        [hostname],
      );
    })(),
  ];
}

/** The whole deployment as one bash script: what --dry-run prints and a real run executes. */
export function deployScript(options: DeployOptions, root: string): string {
  const steps = deployPlan(options, root);
  const header = [
    '#!/usr/bin/env bash',
    `# The files API on project ${options.project}, region ${options.region}, bucket gs://${options.bucket}, ${options.access}.`,
    '# Written by `npm run deploy`; run it from the repository root, signed in with `gcloud auth login`.',
    ...PRELUDE,
  ];
  const body = steps.flatMap((s, i) => [
    '',
    `echo ${JSON.stringify(`== ${i + 1}/${steps.length} ${s.title}`).replace(/\$/g, '\\$')}`,
    ...s.lines,
  ]);
  return [...header, ...body, ''].join('\n');
}
