import type { AddressInfo } from 'node:net';
import { BucketStore } from './bucket-store';
import { DataLayout } from './data-layout';
import type { EmulatorConfig, EmulatorState } from './emulator-state';
import { postFinalizedEvent } from './finalize-hook';
import { FinalizedObjects } from './finalized-objects';
import { RequestLog } from './request-log';
import { createStorageServer } from './server';
import { SessionStore } from './session-store';
import { loadSigningKey } from './signing-key';

export interface Emulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Loads the data dir (buckets, objects, sessions of a previous run) and listens. */
export async function startEmulator(config: EmulatorConfig): Promise<Emulator> {
  const signingKey = config.signingCredentials ? await loadSigningKey(config.signingCredentials) : undefined;
  const layout = new DataLayout(config.dataDir);
  await layout.create();
  const buckets = await BucketStore.open(layout);
  const objects = await FinalizedObjects.open(
    layout,
    buckets.all().map((b) => b.name),
  );
  const sessions = await SessionStore.open(layout, config.sessionTtlSeconds, objects.byUploadId());
  const { finalizeUrl } = config;
  const state: EmulatorState = {
    config,
    layout,
    buckets,
    objects,
    sessions,
    ...(config.requestLog ? { requestLog: RequestLog.open(config.requestLog) } : {}),
    ...(signingKey ? { signingKey } : {}),
    finalized: (obj, base) => {
      if (finalizeUrl) postFinalizedEvent(finalizeUrl, obj, base);
    },
  };
  const server = createStorageServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  config.port = port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        sessions.close();
        server.close(() => resolve(state.requestLog?.close()));
        server.closeAllConnections();
      }),
  };
}
