// What a direct upload's marker (docs/DIRECT-UPLOAD.md) adds to its critical path: the storage write of
// 1 MiB with the marker written beside it (the bytes end once the marker is durable) and without,
// alternating, on the adapters the function uses; and how long each write waited on its marker after
// its last byte. Against the emulators of a running local stack (npm start prints their addresses):
//   FIRESTORE_EMULATOR_HOST=127.0.0.1:8085 STORAGE_EMULATOR_HOST=http://127.0.0.1:9199 \
//     GOOGLE_CLOUD_PROJECT=demo-files-api FILES_BUCKET=demo-files-api-uploads node dist/bench/direct-upload-marker.js
import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { randomBytes } from 'node:crypto';
import { FirestoreFileRecords } from '../functions/adapters/firestore-file-records';
import { GcsObjects } from '../functions/adapters/gcs-objects';
import { newFileId } from '../functions/domain/file-id';
import { UploadMarker } from '../functions/endpoints/upload-file/upload-marker';
import { machineLine } from './lib/machine';

const ROUNDS = Number(process.env.ROUNDS ?? 21);
const SIZE = 1024 * 1024;
const ORG = 'org_bench_marker';
const env = (name: string) => process.env[name] ?? (console.error(`${name} is required`), process.exit(2));

const db = new Firestore({ projectId: env('GOOGLE_CLOUD_PROJECT') });
const records = new FirestoreFileRecords(db, 30_000);
const objects = new GcsObjects(new Storage({ projectId: env('GOOGLE_CLOUD_PROJECT') }).bucket(env('FILES_BUCKET')), 30_000);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The request's 64 KiB reads, as busboy hands them on. */
async function* body(bytes: Buffer): AsyncIterable<Buffer> {
  for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
}

async function write(withMarker: boolean): Promise<{ ms: number; waitedMs: number }> {
  const fileId = newFileId();
  const objectName = `files/${ORG}/${fileId}/bench.pdf`;
  const bytes = randomBytes(SIZE);
  const start = performance.now();
  let lastByte = 0;
  async function* timed(): AsyncIterable<Buffer> {
    yield* body(bytes);
    lastByte = performance.now();
  }
  const marker = withMarker
    ? new UploadMarker(records, { organizationId: ORG, fileId, objectName, createdAt: new Date().toISOString() })
    : undefined;
  let sourceEnded = 0;
  async function* ended(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    yield* source;
    sourceEnded = performance.now();
  }
  await objects.write({ objectName, contentType: 'application/pdf', metadata: {} }, ended(marker ? marker.before(timed()) : timed()));
  const ms = performance.now() - start;
  await Promise.all([objects.remove(objectName), marker && records.removeDirectUpload(ORG, fileId)]);
  return { ms, waitedMs: sourceEnded - lastByte };
}

async function main(): Promise<void> {
  console.log(`direct upload's marker, 1 MiB storage write: ${machineLine()}`);
  const ways = { with: [] as number[], without: [] as number[], waited: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const withMarker of round % 2 === 0 ? [true, false] : [false, true]) {
      const { ms, waitedMs } = await write(withMarker);
      (withMarker ? ways.with : ways.without).push(ms);
      if (withMarker) ways.waited.push(waitedMs);
    }
  }
  const [w, wo] = [median(ways.with), median(ways.without)];
  console.log(
    `with marker ${w.toFixed(1)} ms, without ${wo.toFixed(1)} ms (median of ${ROUNDS}), ratio ${(w / wo).toFixed(2)}; ` +
      `waited on the marker after the last byte: median ${median(ways.waited).toFixed(1)} ms, max ${Math.max(...ways.waited).toFixed(1)} ms`,
  );
  await db.terminate();
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
