import { BACKEND_TIMEOUT_MS, type FaultStack } from './fault-stack';

export interface TrafficOutcome {
  status: number | 'no answer';
  code?: string;
  retryAfter?: string | null;
  fileId?: string;
  gcsPath?: string;
  uploadUrl?: string;
}

export interface Traffic {
  outcomes: TrafficOutcome[];
  /** Resolves once every worker has had its last answer. */
  stop(): Promise<TrafficOutcome[]>;
  /** Resolves at the next 200 after this call (the backends are back). */
  nextSuccess(): Promise<void>;
}

/**
 * Sustained upload-url traffic: `workers` callers, each sending its next
 * request as soon as the last is answered. A call unanswered after
 * `hangMs` counts as 'no answer' (a hang), not a test timeout.
 */
export function uploadUrlTraffic(url: string, apiKey: string, opts: { workers: number; hangMs: number; fileSize?: number }): Traffic {
  const outcomes: TrafficOutcome[] = [];
  let running = true;
  let waiters: (() => void)[] = [];
  const one = async (): Promise<TrafficOutcome> => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ filename: 'traffic.bin', file_size: opts.fileSize ?? 1000, mime_type: 'application/octet-stream' }),
        signal: AbortSignal.timeout(opts.hangMs),
      });
      const body = (await res.json()) as { file_id?: string; gcs_path?: string; upload_url?: string; error?: { code: string } };
      return {
        status: res.status,
        code: body.error?.code,
        retryAfter: res.headers.get('retry-after'),
        fileId: body.file_id,
        gcsPath: body.gcs_path,
        uploadUrl: body.upload_url,
      };
    } catch {
      return { status: 'no answer' };
    }
  };
  const worker = async () => {
    while (running) {
      const outcome = await one();
      outcomes.push(outcome);
      if (outcome.status === 200) {
        for (const w of waiters) w();
        waiters = [];
      }
    }
  };
  const done = Promise.all(Array.from({ length: opts.workers }, worker));
  return {
    outcomes,
    stop: async () => {
      running = false;
      await done;
      return outcomes;
    },
    nextSuccess: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

/** What callers may see while a backend fails: 200, or 503 SERVICE_UNAVAILABLE with Retry-After. Anything else, listed. */
export function badOutcomes(outcomes: TrafficOutcome[]): TrafficOutcome[] {
  return outcomes.filter(
    (o) => !(o.status === 200 || (o.status === 503 && o.code === 'SERVICE_UNAVAILABLE' && /^\d+$/.test(o.retryAfter ?? ''))),
  );
}

export function tally(outcomes: TrafficOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[String(o.status)] = (counts[String(o.status)] ?? 0) + 1;
  return counts;
}

/**
 * Sustained upload-url traffic across `fault`, from a first 200 to the first 200
 * after it: callers saw 200s and some 503s with Retry-After, nothing else, and
 * after one sweep the audit finds no half-made state. `fault` may return what a
 * killed Firestore forgot (stack.storageHoldings()), which the audit excuses.
 */
export async function expectCleanAcross(
  stack: FaultStack,
  label: string,
  fault: () => Promise<{ sessions: Set<string>; objects: Set<string> } | void>,
): Promise<void> {
  const traffic = uploadUrlTraffic(stack.uploadUrl(), stack.apiKey, { workers: 4, hangMs: 10 * BACKEND_TIMEOUT_MS });
  await traffic.nextSuccess();
  const forgotten = (await fault()) ?? undefined;
  await traffic.nextSuccess();
  const outcomes = await traffic.stop();
  console.log(`${label}: ${JSON.stringify(tally(outcomes))}`);
  expect(badOutcomes(outcomes)).toEqual([]);
  expect(outcomes.some((o) => o.status === 503)).toBe(true);
  const audit = await stack.settleAndAudit(forgotten);
  console.log(`${label}, audit: ${JSON.stringify({ ...audit, problems: audit.problems.length })}`);
  expect(audit.problems).toEqual([]);
}
