import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export type Target = 'files' | 'finalize' | 'sweep';

export interface RunningApi {
  /** the `files` function's base URL */
  url: string;
  /** every started function's base URL */
  urls: Partial<Record<Target, string>>;
  close(): Promise<void>;
}

/**
 * The functions as they are deployed: functions/index.ts loaded fresh with
 * `env`, each target served by functions-framework's own server (its testing
 * export builds the same express app as its CLI), on a free loopback port.
 */
export async function startFilesApi(env: Record<string, string>, targets: Target[] = ['files']): Promise<RunningApi> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const servers: Partial<Record<Target, Server>> = {};
  let closeBackends: () => Promise<void> = async () => undefined;
  try {
    jest.isolateModules(() => {
      ({ closeBackends } = require('../../functions/index'));
      const { getTestServer } = require('@google-cloud/functions-framework/testing');
      for (const target of targets) servers[target] = getTestServer(target);
    });
  } finally {
    process.env = saved;
  }
  const urls: Partial<Record<Target, string>> = {};
  for (const target of targets) {
    const server = servers[target] as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    urls[target] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return {
    url: urls.files ?? '',
    urls,
    close: async () => {
      for (const server of Object.values(servers)) {
        await new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        });
      }
      await closeBackends();
    },
  };
}
