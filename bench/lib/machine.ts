import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** What the figures were measured on, printed beside them: a busy machine skews every ratio. */
export function machineLine(): string {
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  return `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${one} ${five} ${fifteen}`;
}

/** Clock ticks per second of /proc times: USER_HZ, 100 on every Linux that ships. */
export const USER_HZ = 100;

export interface CpuTimes {
  busy: number;
  at: number;
}

/** The whole machine's busy CPU seconds so far (Linux /proc/stat), to tell how much other work ran during a measurement. */
export function machineCpu(): CpuTimes {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal, in USER_HZ ticks
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return { busy: (user + nice + system + irq + softirq + steal) / USER_HZ, at: performance.now() };
}

/** User + system CPU seconds a process (all its threads) has used so far. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** Cores kept busy on average since `since`, by everything on the machine. */
export function busyCoresSince(since: CpuTimes): number {
  const now = machineCpu();
  return (now.busy - since.busy) / ((now.at - since.at) / 1000);
}

/**
 * Waits (up to `maxWaitMs`) until the machine has been nearly idle for a few
 * seconds in a row, so a recorded run does not share the cores with someone's
 * test suite. Returns what it saw, for the record.
 */
export async function waitForQuiet(maxWaitMs: number, idleBelowCores = 0.3, seconds = 3): Promise<string> {
  if (maxWaitMs <= 0) return 'not waiting for a quiet machine';
  const deadline = performance.now() + maxWaitMs;
  let quiet = 0;
  let last = 0;
  while (quiet < seconds) {
    if (performance.now() > deadline) return `machine still busy after ${maxWaitMs / 1000} s (${last.toFixed(2)} cores): measuring anyway`;
    const before = machineCpu();
    await new Promise((r) => setTimeout(r, 1000));
    last = busyCoresSince(before);
    quiet = last < idleBelowCores ? quiet + 1 : 0;
  }
  return `machine quiet (< ${idleBelowCores} busy cores for ${seconds} s)`;
}
