import { MultiBar, Presets } from 'cli-progress';
import { formatBytes, type Progress } from '@files-api/sdk';
import { formatEta, formatRate } from './format';

export interface ProgressLine {
  /** the CRC32C pass before the first byte is sent */
  checksum(progress: Progress): void;
  update(progress: Progress): void;
  /** a note about this file (resuming, retrying) */
  note(text: string): void;
  stop(): void;
}

export interface ProgressView {
  start(label: string, totalBytes: number): ProgressLine;
  stop(): void;
}

/** Bars on a terminal (cli-progress); elsewhere (a pipe, a log, CI) plain lines at most once a second. */
export function progressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  return stream.isTTY ? barView(stream) : lineView(stream);
}

function barView(stream: NodeJS.WriteStream): ProgressView {
  const bars = new MultiBar(
    {
      stream,
      format: '{label} [{bar}] {percentage}% | {sent} / {size} | {rate} | ETA {eta}',
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
    },
    Presets.shades_classic,
  );
  return {
    start(label, totalBytes) {
      let phase = label;
      const payload = (bytesSent: number, rate: number) => ({
        label: phase,
        sent: formatBytes(bytesSent),
        size: formatBytes(totalBytes),
        rate: formatRate(rate),
        eta: formatEta(totalBytes - bytesSent, rate),
      });
      const bar = bars.create(totalBytes, 0, payload(0, 0));
      return {
        checksum: ({ bytesSent, rate }) => {
          phase = `${label} (checksum)`;
          bar.update(bytesSent, payload(bytesSent, rate));
        },
        update: ({ bytesSent, rate }) => {
          phase = label;
          bar.update(bytesSent, payload(bytesSent, rate));
        },
        note: (text) => bars.log(`${label}: ${text}\n`),
        stop: () => bar.stop(),
      };
    },
    stop: () => bars.stop(),
  };
}

function lineView(stream: NodeJS.WriteStream): ProgressView {
  return {
    start(label, totalBytes) {
      let lastAt = 0;
      let lastBytes = -1;
      let lastPhase = '';
      const show = (phase: string, { bytesSent, rate }: Progress) => {
        const now = Date.now();
        const finished = bytesSent >= totalBytes;
        const samePhase = phase === lastPhase;
        if (samePhase && (bytesSent === lastBytes || (!finished && now - lastAt < 1000 && lastBytes >= 0))) return;
        lastAt = now;
        lastBytes = bytesSent;
        lastPhase = phase;
        const percent = totalBytes > 0 ? Math.floor((bytesSent / totalBytes) * 100) : 100;
        stream.write(
          `${label}: ${phase}${formatBytes(bytesSent)} / ${formatBytes(totalBytes)} (${percent}%) ${formatRate(rate)} ETA ${formatEta(totalBytes - bytesSent, rate)}\n`,
        );
      };
      return {
        checksum: (progress) => show('checksum ', progress),
        update: (progress) => show('', progress),
        note: (text) => void stream.write(`${label}: ${text}\n`),
        stop: () => undefined,
      };
    },
    stop: () => undefined,
  };
}
