import * as functions from '@google-cloud/functions-framework';
import type { MemoryBackends } from '../../functions/adapters/in-memory';
import type { Config } from '../../functions/config';
import { installBodyLayer } from '../../functions/http/body-layer';
import { createFilesApi } from '../../functions/http/files-api';

/** Registers the `files` function as functions/index.ts wires it (the body layer, then
 * createFilesApi), with every port on `backends`: the in-memory benchmarks and the
 * in-process test suites serve the same wiring. */
export function registerFilesOnMemory(config: Config, backends: MemoryBackends): void {
  installBodyLayer({ maxBodyBytes: config.maxBodyBytes, projectId: config.projectId, corsAllowedOrigins: config.corsAllowedOrigins });
  functions.http(
    'files',
    createFilesApi({
      config,
      directory: backends,
      records: backends,
      events: backends,
      sessions: backends,
      objects: backends,
      quotas: backends,
      signer: backends,
    }),
  );
}
