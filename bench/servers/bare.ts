// The baseline: a functions-framework function doing nothing but answer a JSON
// body of BENCH_BODY_BYTES bytes (the size of an upload-url answer), the way
// a function written without any of the files API's layers would.
import * as functions from '@google-cloud/functions-framework';

const WRAPPER = '{"padding":""}';
const bytes = Number(process.env.BENCH_BODY_BYTES ?? 422);
if (!Number.isInteger(bytes) || bytes < WRAPPER.length) throw new Error(`BENCH_BODY_BYTES must be a whole number ≥ ${WRAPPER.length}`);
const answer = { padding: 'x'.repeat(bytes - WRAPPER.length) };

functions.http('bare', (_req, res) => {
  res.status(200).json(answer);
});
