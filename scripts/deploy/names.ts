import { DEFAULT_WEBHOOK_TOPIC } from '../../functions/config';
import type { DeployOptions } from './options';

export const FUNCTIONS = ['files', 'finalize', 'sweep', 'deliver', 'relay'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/** The service accounts the deployment creates: one per function, and one per caller of a function. */
export const ACCOUNTS = {
  files: 'files-api-files',
  finalize: 'files-api-finalize',
  sweep: 'files-api-sweep',
  deliver: 'files-api-deliver',
  relay: 'files-api-relay',
  /** Pub/Sub's push subscription calls `deliver` with an OIDC token of this account */
  pusher: 'files-api-pusher',
  /** Eventarc delivers the bucket's finalized events to `finalize` as this account */
  events: 'files-api-events',
  /** Cloud Scheduler calls `sweep` with an OIDC token of this account */
  scheduler: 'files-api-scheduler',
  /** API Gateway calls `files` as this account */
  gateway: 'files-api-gateway',
  /** Cloud Build builds the functions as this account, not the default compute account */
  build: 'files-api-build',
} as const;
export type Account = keyof typeof ACCOUNTS;

export const API_ID = 'files-api';
export const GATEWAY_ID = 'files-api';
export const SWEEP_JOB = 'files-api-sweep';
/** The Secret Manager secret that keys page tokens (PAGE_TOKEN_SECRET of the `files` function). */
export const PAGE_TOKEN_SECRET = 'files-api-page-token';
export const SWEEP_SCHEDULE = '*/5 * * * *';
/** Webhooks (docs/WEBHOOKS.md): the delivery topic (the functions' default WEBHOOK_TOPIC), its push subscription, the catch-up job. */
export const WEBHOOK_TOPIC = DEFAULT_WEBHOOK_TOPIC;
export const WEBHOOK_SUBSCRIPTION = `${DEFAULT_WEBHOOK_TOPIC}-push`;
export const RELAY_JOB = 'files-api-relay';
export const RELAY_SCHEDULE = '* * * * *';
/**
 * The most instances of `files`: rate limits live in each instance's memory,
 * so the effective bound is this many times each limit (docs/ABUSE-LIMITS.md).
 * At 80 concurrent requests an instance, 10 serve 800 at once.
 */
export const FILES_MAX_INSTANCES = 10;
/** The `files` function's timeout, and so the gateway's deadline for it. */
export const FILES_TIMEOUT_SECONDS = 60;

export function accountEmail(options: DeployOptions, account: Account): string {
  return `${ACCOUNTS[account]}@${options.project}.iam.gserviceaccount.com`;
}

/** A 2nd-gen function's cloudfunctions.net URL, fixed by its region, project and name before it exists. */
export function functionUrl(options: DeployOptions, name: FunctionName): string {
  return `https://${options.region}-${options.project}.cloudfunctions.net/${name}`;
}
