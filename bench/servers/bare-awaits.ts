// The bare function (bare.ts), answering after BENCH_AWAITED_CALLS (default 13)
// awaited calls of an async function that resolves at once: 2 promises each,
// as the files API's async layers make, and nothing else. Registered as `files`
// so overhead.ts can measure it as a --baseline beside the bare function: what
// the promises alone cost under functions-framework's per-request domain.
import * as functions from '@google-cloud/functions-framework';

const calls = Number(process.env.BENCH_AWAITED_CALLS ?? 13);
// The upload-url answer's length, as overhead.ts gives the bare function.
const answer = { padding: 'x'.repeat(340 - '{"padding":""}'.length) };
const layer = async (n: number) => n;

functions.http('files', async (_req, res) => {
  for (let i = 0; i < calls; i++) await layer(i);
  res.status(200).json(answer);
});
