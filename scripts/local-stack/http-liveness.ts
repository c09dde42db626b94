import http from 'node:http';

const INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 2000;
/** Consecutive failed probes before a server counts as gone: one slow answer is not a death. */
const FAILURES_TO_DOWN = 3;

/** Settles once `url` stops answering HTTP: for a part whose process is not ours to watch. */
export function untilUnanswered(url: string): { down: Promise<string>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const down = new Promise<string>((resolve) => {
    let failures = 0;
    const probe = () => {
      if (cancelled) return;
      answers(url).then((ok) => {
        failures = ok ? 0 : failures + 1;
        if (failures >= FAILURES_TO_DOWN) return resolve(`stopped answering at ${url}`);
        if (!cancelled) timer = setTimeout(probe, INTERVAL_MS).unref();
      });
    };
    timer = setTimeout(probe, INTERVAL_MS).unref();
  });
  return {
    down,
    cancel: () => {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: PROBE_TIMEOUT_MS, agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
