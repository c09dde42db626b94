import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/**
 * The function as it is deployed: functions/index.ts loaded fresh with `env`,
 * served by functions-framework's own server (its testing export builds the
 * same express app as its CLI), on a free loopback port.
 */
export async function startFilesApi(env: Record<string, string>): Promise<RunningApi> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let server: Server | undefined;
  let closeBackends: () => Promise<void> = async () => undefined;
  try {
    jest.isolateModules(() => {
      ({ closeBackends } = require('../../functions/index'));
      const { getTestServer } = require('@google-cloud/functions-framework/testing');
      server = getTestServer('files');
    });
  } finally {
    process.env = saved;
  }
  const running = server as Server;
  await new Promise<void>((resolve) => running.listen(0, '127.0.0.1', resolve));
  const { port } = running.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        running.closeAllConnections();
        running.close(() => resolve());
      });
      await closeBackends();
    },
  };
}
