import { join } from 'node:path';
import type { StartedSet } from '../processes';
import { ensureSigningKey } from '../signing-key';
import { serveWebPage } from '../web-server';
import type { DevFile } from './dev-file';
import { httpUrl } from './service-url';
import type { ServiceAddress, StackConfig } from './stack-config';
import { StartupError } from './startup-error';

const DEFAULT_WEB_PORT = 8090;

/** Where the browser uploader is served: 127.0.0.1:8090, or WEB_PORT. */
export function webAddress(env: NodeJS.ProcessEnv = process.env): ServiceAddress {
  const raw = env.WEB_PORT;
  const port = raw === undefined || raw === '' ? DEFAULT_WEB_PORT : Number(raw);
  if (!/^\d+$/.test(String(port)) || port < 1 || port > 65535)
    throw new StartupError(`WEB_PORT=${JSON.stringify(raw)}: must be a port number from 1 to 65535`);
  return { host: '127.0.0.1', port, portEnv: 'WEB_PORT' };
}

/** What the files function needs for the page: CORS for its origin, and a key to sign download URLs with. */
export function webFunctionEnv(config: StackConfig): Record<string, string> {
  return {
    CORS_ALLOWED_ORIGINS: httpUrl(webAddress()),
    GOOGLE_APPLICATION_CREDENTIALS: localSigningKey(config),
  };
}

/** The stand-in service-account key, made once in .local/; the storage emulator verifies URLs with it. */
export function localSigningKey(config: StackConfig): string {
  return ensureSigningKey(join(config.localDir, 'signing-key.json'), config.projectId).path;
}

/** Serves the browser uploader, connected to the demo organization, and adds it to `started`; resolves to its URL. */
export async function startStackWeb(config: StackConfig, started: StartedSet, dev: DevFile): Promise<string> {
  const address = webAddress();
  const page = await serveWebPage({
    root: join(config.repoRoot, 'packages', 'web', 'dist'),
    host: address.host,
    port: address.port,
    config: { apiUrl: dev.function_url, organizationId: dev.organization_id, apiKey: dev.api_key },
    connectTo: [dev.function_url, dev.storage_url],
  });
  let stopped: (reason: string) => void = () => undefined;
  started.add({
    name: 'browser uploader',
    pid: undefined,
    exited: new Promise<string>((resolve) => (stopped = resolve)),
    stop: async () => {
      await page.close();
      stopped('stopped');
    },
  });
  return page.url;
}
