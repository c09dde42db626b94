import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MemoryBackends } from '../../../functions/adapters/in-memory';
import type { ApiKeyDoc } from '../../../functions/domain/api-key';
import { UNREACHABLE_RATES } from '../../../bench/lib/unreachable-limits';

/** The tenants every in-process suite calls as: two organizations, keys in every state. */
export const ORG_A = 'org_a';
export const ORG_B = 'org_b';
export const KEYS = {
  /** member of org_a */
  active: `ak_${'A'.repeat(43)}`,
  /** member of org_b only */
  other: `ak_${'B'.repeat(43)}`,
  paused: `ak_${'P'.repeat(43)}`,
  deactivated: `ak_${'D'.repeat(43)}`,
  expired: `ak_${'E'.repeat(43)}`,
  /** well-formed, in no directory */
  unknown: `ak_${'U'.repeat(43)}`,
} as const;

export interface InProcessApi {
  url: string;
  backends: MemoryBackends;
  close(): Promise<void>;
}

/**
 * The files API as functions/index.ts wires it (body layer, createFilesApi),
 * served by functions-framework's own server, on in-memory ports: fast enough
 * for tens of thousands of requests, and every record, session and object it
 * makes is visible in `backends`. Call once per test file (the framework's
 * registry is per module registry).
 */
export async function startInProcessApi(env: Record<string, string> = {}): Promise<InProcessApi> {
  const { getTestServer } =
    require('@google-cloud/functions-framework/testing') as typeof import('@google-cloud/functions-framework/testing');
  const { loadConfig } = require('../../../functions/config') as typeof import('../../../functions/config');
  const { registerFilesOnMemory } = require('../../../bench/lib/files-on-memory') as typeof import('../../../bench/lib/files-on-memory');
  const config = loadConfig({
    FILES_BUCKET: 'fuzz-bucket',
    GOOGLE_CLOUD_PROJECT: 'fuzz-project',
    AUTH_CACHE_TTL_SECONDS: '0',
    ...UNREACHABLE_RATES,
    ...env,
  });
  const backends = new MemoryBackends();
  backends.defaultLimits = { maxOpenSessions: Number.MAX_SAFE_INTEGER, maxStoredBytes: Number.MAX_SAFE_INTEGER };
  const doc = (keyId: string, principal: string, extra: Partial<ApiKeyDoc> = {}): ApiKeyDoc => ({
    key_id: keyId,
    principal_id: principal,
    status: 'active',
    expires_at: null,
    created_at: '2025-01-01T00:00:00Z',
    last4: 'xxxx',
    ...extra,
  });
  backends.addKey(KEYS.active, doc('key_active', 'usr_a'));
  backends.addKey(KEYS.other, doc('key_other', 'usr_b'));
  backends.addKey(KEYS.paused, doc('key_paused', 'usr_a', { status: 'paused' }));
  backends.addKey(KEYS.deactivated, doc('key_deactivated', 'usr_a', { status: 'deactivated' }));
  backends.addKey(KEYS.expired, doc('key_expired', 'usr_a', { expires_at: '2020-01-01T00:00:00Z' }));
  backends.addMember(ORG_A, 'usr_a');
  backends.addMember(ORG_B, 'usr_b');
  registerFilesOnMemory(config, backends);
  const server: Server = getTestServer('files');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    backends,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
