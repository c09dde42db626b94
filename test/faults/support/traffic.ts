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
