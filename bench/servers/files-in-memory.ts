// The files API wired as functions/index.ts wires it, but on in-memory ports:
// what the framework, body layer, routing, auth and handler cost without any
// backend. Served by functions-framework's CLI (--target=files).
//   BENCH_API_KEY       the key the bench calls with (a member of BENCH_ORGANIZATION_ID)
//   BENCH_LATENCY_MS    delay of every port call, modelling a backend round trip (default 0)
//   BENCH_RETAIN_STORE  1: the double keeps every record and session it is given (default: it forgets them)
import { MemoryBackends } from '../../functions/adapters/in-memory';
import { loadConfig } from '../../functions/config';
import { BENCH_ORGANIZATION_ID, BENCH_PRINCIPAL_ID } from './bench-tenant';
import { registerFilesOnMemory } from '../lib/files-on-memory';

const apiKey = process.env.BENCH_API_KEY;
if (!apiKey) throw new Error('BENCH_API_KEY is required');
// Rate limits no run reaches, likewise: the check runs on every request but never refuses.
const unreachable = { perSecond: Number.MAX_SAFE_INTEGER, burst: Number.MAX_SAFE_INTEGER };
const config = {
  ...loadConfig(process.env),
  rateLimits: { perKey: unreachable, perOrganization: unreachable, failuresPerAddress: unreachable },
};
const backends = new MemoryBackends(Number(process.env.BENCH_LATENCY_MS ?? 0));
// Every request opens a session: limits no run reaches, so the quota check runs but never refuses.
backends.defaultLimits = { maxOpenSessions: Number.MAX_SAFE_INTEGER, maxStoredBytes: Number.MAX_SAFE_INTEGER };
backends.addKey(apiKey, {
  key_id: 'key_bench',
  principal_id: BENCH_PRINCIPAL_ID,
  status: 'active',
  expires_at: null,
  created_at: new Date().toISOString(),
  last4: apiKey.slice(-4),
});
backends.addMember(BENCH_ORGANIZATION_ID, BENCH_PRINCIPAL_ID);

// Firestore and Cloud Storage keep the records, sessions and outbox events on
// other machines. Kept here, some 75,000 of each by the end of a run, they would bill the files
// side for a garbage collector scanning a growing heap, a cost a deployed
// function does not pay and the bare function does not have. Nothing the
// benchmark sends reads them back (no Idempotency-Key, no listing), and the
// usage counters the quota check reads stay.
if (process.env.BENCH_RETAIN_STORE !== '1') {
  setInterval(() => {
    backends.files.clear();
    backends.sessions.clear();
    backends.events.length = 0;
    backends.calls.length = 0;
  }, 1000).unref();
}

registerFilesOnMemory(config, backends);
