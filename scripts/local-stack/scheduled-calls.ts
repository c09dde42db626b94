import type { SweepReport } from '../../functions/jobs/sweep';
import type { Started } from '../processes';

/** A call that takes longer is abandoned; the next one picks up what it left. */
const CALL_TIMEOUT_MS = 60_000;

export interface ScheduledCall<Answer> {
  /** what the lines and the schedule are called: `sweep`, `relay` */
  name: string;
  url: string;
  intervalMs: number;
  /** the line a successful answer's JSON body is worth saying, if any */
  describe: (answer: Answer) => string | undefined;
}

/**
 * A stand-in for a Cloud Scheduler job: POST to `url` every `intervalMs`, one call
 * at a time, and say a line when an answer is worth one, fails or is an error; a
 * failed call is tried again at the next tick. Stopping aborts the call in flight
 * and waits for it: the functions called are idempotent, so nothing is lost.
 */
export function scheduleCalls<Answer>(call: ScheduledCall<Answer>, say: (line: string) => void): Started {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const callOnce = async (): Promise<void> => {
    try {
      const res = await fetch(call.url, {
        method: 'POST',
        signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]),
      });
      if (!res.ok) {
        await res.body?.cancel();
        say(`${call.name} answered ${res.status} (the ${call.name} function's output says why)`);
        return;
      }
      const line = call.describe((await res.json()) as Answer);
      if (line) say(line);
    } catch (err) {
      if (!stopping.signal.aborted) say(`${call.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const next = () => {
    timer = setTimeout(() => {
      running = callOnce().then(() => {
        if (!stopping.signal.aborted) next();
      });
    }, call.intervalMs);
  };
  next();

  return {
    name: `${call.name} schedule`,
    pid: undefined,
    // A timer does not die; a call that fails is reported and tried again at the next tick.
    exited: new Promise<string>(() => undefined),
    stop: async () => {
      stopping.abort();
      clearTimeout(timer);
      await running;
    },
  };
}

/** The sweep's line: only for a run that expired or completed something. */
export function describeSweep({ expired, completed, has_more }: SweepReport): string | undefined {
  if (expired > 0 || completed > 0)
    return `sweep: ${expired} expired, ${completed} completed${has_more ? ', more left for the next run' : ''}`;
  return undefined;
}

/** The relay's line: only when it sent pending events on. */
export function describeRelay({ relayed }: { relayed: number }): string | undefined {
  return relayed > 0 ? `relay: ${relayed} pending event(s) sent on to webhooks` : undefined;
}
