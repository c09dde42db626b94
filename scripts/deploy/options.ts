import { parseArgs } from 'node:util';

export type Access = 'public' | 'gateway-only';

export interface DeployOptions {
  project: string;
  region: string;
  bucket: string;
  /** public: the function's own URL answers anyone (API keys still decide); gateway-only: only API Gateway may call it */
  access: Access;
  dryRun: boolean;
}

export class DeployUsageError extends Error {}

export const USAGE = 'usage: npm run deploy -- --project P --region R [--dry-run] [--bucket B] [--public|--gateway-only]';

// Google's rules: project ids 6-30 of a-z 0-9 -, starting with a letter; regions like europe-west1;
// bucket names 3-63 of a-z 0-9 _ - . (no dotted names: those need domain verification).
const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
const BUCKET = /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/;

export function parseDeployOptions(argv: string[]): DeployOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        project: { type: 'string' },
        region: { type: 'string' },
        bucket: { type: 'string' },
        public: { type: 'boolean', default: false },
        'gateway-only': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new DeployUsageError(`${(err as Error).message.split('. ')[0]}\n${USAGE}`);
  }
  const { project, region } = values;
  if (!project || !PROJECT.test(project))
    throw new DeployUsageError(`--project must be a Google Cloud project id (6-30 of a-z 0-9 -)\n${USAGE}`);
  if (!region || !REGION.test(region)) throw new DeployUsageError(`--region must be a Google Cloud region, e.g. europe-west1\n${USAGE}`);
  if (values.public && values['gateway-only']) throw new DeployUsageError(`--public and --gateway-only exclude each other\n${USAGE}`);
  const bucket = values.bucket ?? `${project}-files`;
  if (!BUCKET.test(bucket)) throw new DeployUsageError(`--bucket must be a bucket name (3-63 of a-z 0-9 _ -)\n${USAGE}`);
  return { project, region, bucket, access: values['gateway-only'] ? 'gateway-only' : 'public', dryRun: values['dry-run'] };
}
