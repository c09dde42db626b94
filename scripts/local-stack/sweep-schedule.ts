import type { SweepReport } from '../../functions/jobs/sweep';
import type { Started } from '../processes';

/** A run that takes longer is abandoned; the next one picks up what it left. */
const RUN_TIMEOUT_MS = 60_000;

/** Cloud Scheduler's job: POST to the sweep function every `intervalMs`, one run at a time.
 * Says one line when a run expired or completed something, or failed; silent otherwise. */
export function scheduleSweeps(url: string, intervalMs: number, say: (line: string) => void): Started {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const runOnce = async (): Promise<void> => {
    try {
      const res = await fetch(url, { method: 'POST', signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(RUN_TIMEOUT_MS)]) });
      if (!res.ok) {
        await res.body?.cancel();
        say(`sweep answered ${res.status} (the sweep function's output says why)`);
        return;
      }
      const { expired, completed, has_more } = (await res.json()) as SweepReport;
      if (expired > 0 || completed > 0) {
        say(`sweep: ${expired} expired, ${completed} completed${has_more ? ', more left for the next run' : ''}`);
      }
    } catch (err) {
      if (!stopping.signal.aborted) say(`sweep failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const next = () => {
    timer = setTimeout(() => {
      running = runOnce().then(() => {
        if (!stopping.signal.aborted) next();
      });
    }, intervalMs);
  };
  next();

  return {
    name: 'sweep schedule',
    pid: undefined,
    // A timer does not die; a sweep that fails is reported and tried again at the next tick.
    exited: new Promise<string>(() => undefined),
    stop: async () => {
      // The sweep is idempotent, so an interrupted run loses nothing.
      stopping.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
