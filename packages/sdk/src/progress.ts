export interface Progress {
  /** bytes the session has confirmed (or, for a download, bytes written) */
  bytesSent: number;
  totalBytes: number;
  /** bytes per second over the last few seconds */
  rate: number;
}

const WINDOW_MS = 5_000;

/** Turns confirmed offsets into progress reports with a recent rate. */
export function progressMeter(totalBytes: number, report?: (progress: Progress) => void) {
  const samples: Array<{ at: number; bytes: number }> = [];
  return (bytesSent: number) => {
    if (!report) return;
    const now = Date.now();
    samples.push({ at: now, bytes: bytesSent });
    while (samples.length > 2 && now - samples[1].at > WINDOW_MS) samples.shift();
    const first = samples[0];
    const seconds = (now - first.at) / 1000;
    report({ bytesSent, totalBytes, rate: seconds > 0 ? Math.max(0, (bytesSent - first.bytes) / seconds) : 0 });
  };
}
