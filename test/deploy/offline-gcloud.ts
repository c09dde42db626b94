import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** gcloud from PATH or the Cloud SDK's standard install paths. */
export function findGcloud(): string {
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'gcloud')),
    ...['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk', join(homedir(), 'google-cloud-sdk')].map(
      (root) => join(root, 'bin', 'gcloud'),
    ),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`gcloud not found (looked at ${candidates.join(', ')}): install the Google Cloud CLI`);
  return found;
}

// A closed loopback port: anything gcloud tried to reach would be refused at once, here.
const NOWHERE = '127.0.0.1:9';

/**
 * gcloud with no way to reach Google: a configuration of its own with no
 * account, no metadata server, every request sent to a closed port. A command
 * gcloud understands gets as far as asking for credentials; one it does not
 * stops at argument parsing.
 */
export function offlineGcloudEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CLOUDSDK_CONFIG: mkdtempSync(join(tmpdir(), 'gcloud-offline-')),
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    GCE_METADATA_HOST: NOWHERE,
    GCE_METADATA_IP: NOWHERE,
    GCE_METADATA_ROOT: NOWHERE,
    HTTPS_PROXY: `http://${NOWHERE}`,
    HTTP_PROXY: `http://${NOWHERE}`,
    https_proxy: `http://${NOWHERE}`,
    http_proxy: `http://${NOWHERE}`,
  };
}

export interface Parsed {
  /** gcloud took every argument and went on to ask for credentials */
  accepted: boolean;
  code: number | null;
  stderr: string;
}

const NO_CREDENTIALS = 'You do not currently have an active account selected';
// gcloud starts in a second or two, but its first run in a new configuration on a busy machine has taken far longer.
const COMMAND_TIMEOUT_MS = 180_000;

export function parseOffline(gcloud: string, env: NodeJS.ProcessEnv, argv: string[]): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    const child = spawn(gcloud, argv, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    // Exit 2 is gcloud's usage error; 1 with the credentials message means parsing passed.
    child.once('close', (code) => resolve({ accepted: code === 1 && stderr.includes(NO_CREDENTIALS), code, stderr }));
  });
}
