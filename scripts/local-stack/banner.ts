import { join, relative } from 'node:path';
import { DEMO } from './demo-seed';
import { AUTOSAVE_INTERVAL_MS } from './firestore-autosave';
import type { StackConfig } from './stack-config';
import { functionLog } from './stack-functions';
import { storageRequestLog } from './stack-storage';
import type { StartedStack } from './start-stack';

const KEY_NOTE = { reused: 'kept from the last start', restored: 'kept from the last start, re-stored', new: 'created now' };

function sweeps(seconds: number): string {
  return seconds > 0 ? `POSTed every ${seconds} s, as Cloud Scheduler would` : 'not scheduled, SWEEP_INTERVAL_SECONDS=0';
}

/** What runs where, and a request to paste. */
export function banner(config: StackConfig, up: StartedStack, seconds: number): string {
  const { dev } = up;
  // Relative to where `npm start` runs when below it, else absolute.
  const shown = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
  };
  const curl = `curl -sS -F "file=@README.md" -H "X-API-Key: ${dev.api_key}" "${dev.function_url}/v1/organizations/${dev.organization_id}/files/upload"`;
  return [
    '',
    `Files API local stack is up in ${seconds.toFixed(1)} s (project ${dev.project_id}):`,
    `  function            ${dev.function_url}  (functions-framework, target "files")`,
    `  finalize function   ${dev.finalize_url}  (target "finalize": the storage emulator's finalized events)`,
    `  sweep function      ${dev.sweep_url}  (target "sweep": ${sweeps(config.sweepIntervalSeconds)})`,
    `  Firestore emulator  ${dev.firestore_host}  (data kept in ${shown(`${config.localDir}/firestore`)}, saved within ~${AUTOSAVE_INTERVAL_MS / 1000} s of each change${up.imported ? '' : ', starting empty'})`,
    `  storage emulator    ${dev.storage_url}  (bucket ${dev.bucket}, objects in ${shown(`${config.localDir}/storage`)}, requests logged to ${shown(storageRequestLog(config))})`,
    `  Pub/Sub emulator    ${dev.pubsub_host}  (webhook deliveries, pushed to the "deliver" function; "relay" catches up every minute)`,
    `  browser uploader    ${up.webUrl}  (a page on the SDK, for the demo organization)`,
    `  demo data           organization ${DEMO.organizationId}, owner ${DEMO.userId}, API key ${KEY_NOTE[up.keyOrigin]}`,
    `  settings            ${shown(up.devFilePath)}`,
    `  function logs       one short line per request below; in full (JSON) in ${shown(functionLog(config))}`,
    '',
    'Upload a file in one request (larger than the direct-upload cap, ask for an upload URL: docs/API.md):',
    `  ${curl}`,
    '',
    'Manage organizations, members and keys on this stack:',
    // npx does not link a package's own bin inside that package, so name the compiled file.
    `  FIRESTORE_EMULATOR_HOST=${dev.firestore_host} GOOGLE_CLOUD_PROJECT=${dev.project_id} node ${shown(join(config.repoRoot, 'dist', 'scripts', 'files-admin.js'))} --help`,
    '',
    'Ctrl-C (or `npm run stop` from another terminal) stops everything.',
    '',
  ].join('\n');
}
