// The sustained rate one organization can start uploads at under exact quotas
// (docs/QUOTAS.md): `callers` concurrent loops reserve for one organization,
// with limits no run reaches, on the Firestore emulator, for `seconds`. Each
// reservation is what upload-url does after the session start: the usage read
// and the record's create under compare-and-set (functions/domain/reserve-upload.ts).
// `instances` > 1 loads that module once per simulated instance, so their
// reservations race at the counter as separate instances' would.
//   node dist/bench/quota-reservations.js [--seconds 10] [--callers 20] [--instances 1]
import { Firestore } from '@google-cloud/firestore';
import { parseArgs } from 'node:util';
import { FirestoreFileRecords } from '../functions/adapters/firestore-file-records';
import { FirestoreQuotas } from '../functions/adapters/firestore-quotas';
import type { FileRecord } from '../functions/domain/file-record';
import { UsageChanged } from '../functions/domain/ports';
import type { reserveUpload as ReserveUpload } from '../functions/domain/reserve-upload';
import { startEmulatorStack } from './lib/emulator-stack';
import { machineLine } from './lib/machine';
import { median, percentile, round } from './lib/stats';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    callers: { type: 'string', default: '20' },
    instances: { type: 'string', default: '1' },
  },
});
const seconds = Number(values.seconds);
const callers = Number(values.callers);
const instances = Number(values.instances);

/** reserveUpload from a fresh copy of its module: its turns are those of one instance. */
function instanceOfReserve(): typeof ReserveUpload {
  const path = require.resolve('../functions/domain/reserve-upload');
  delete require.cache[path];
  return (require(path) as { reserveUpload: typeof ReserveUpload }).reserveUpload;
}

function record(organizationId: string, n: number): FileRecord {
  return {
    id: `file_bench_${n}`,
    object: 'file',
    organization_id: organizationId,
    original_filename: 'a.bin',
    file_size: 1000,
    mime_type: 'application/octet-stream',
    storage_path: `files/${organizationId}/file_bench_${n}/a.bin`,
    status: 'uploading',
    crc32c: null,
    md5_hash: null,
    uploaded_by: 'usr_bench',
    uploaded_by_api_key_id: 'key_bench',
    created_at: '2026-01-01T00:00:00Z',
    uploaded_at: null,
    expires_at: '2026-01-08T00:00:00Z',
    session_uri: 'http://storage.invalid/session',
  };
}

async function main(): Promise<void> {
  const stack = await startEmulatorStack();
  const db = new Firestore({ projectId: stack.functionEnv.GOOGLE_CLOUD_PROJECT });
  try {
    const records = new FirestoreFileRecords(db, 30_000);
    const quotas = new FirestoreQuotas(db, { maxOpenSessions: Number.MAX_SAFE_INTEGER, maxStoredBytes: Number.MAX_SAFE_INTEGER }, 30_000);
    let lost = 0;
    const counting = {
      ...records,
      createUploading: (...args: Parameters<typeof records.createUploading>) =>
        records.createUploading(...args).catch((error: unknown) => {
          if (error instanceof UsageChanged) lost++;
          throw error;
        }),
    } as unknown as FirestoreFileRecords;
    const reserves = Array.from({ length: instances }, instanceOfReserve);
    const organizationId = `org_rate_${Date.now()}`;
    // Warm the channel and create the counter, outside the measurement.
    await reserves[0]({ records, quotas }, record(organizationId, -1), { giveUpMs: 30_000 });
    let n = 0;
    const latencies: number[] = [];
    const until = Date.now() + seconds * 1000;
    const loop = async (reserve: typeof ReserveUpload) => {
      while (Date.now() < until) {
        const started = performance.now();
        await reserve({ records: counting, quotas }, record(organizationId, n++), { giveUpMs: 30_000 });
        latencies.push(performance.now() - started);
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: callers }, (_, i) => loop(reserves[i % instances])));
    const elapsed = (performance.now() - start) / 1000;
    console.log(machineLine());
    console.log(
      JSON.stringify({
        callers,
        instances,
        seconds: round(elapsed),
        reservations: latencies.length,
        perSecond: round(latencies.length / elapsed, 1),
        lostCompareAndSets: lost,
        medianMs: round(median(latencies), 1),
        p90Ms: round(percentile(latencies, 90), 1),
      }),
    );
  } finally {
    await db.terminate();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
