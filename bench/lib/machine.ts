import { cpus, loadavg } from 'node:os';

/** What the figures were measured on, printed beside them: a busy machine skews every ratio. */
export function machineLine(): string {
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  return `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${one} ${five} ${fifteen}`;
}
