import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process found by the tag in its environment, which every process of a stack inherits (Java too). */
export interface Tagged {
  pid: number;
  ppid: number;
  pgid: number;
  args: string;
}

export function newTag(): { name: string; value: string } {
  return { name: 'FILES_API_STACK_TEST_TAG', value: randomUUID() };
}

function stat(pid: string): { state: string; ppid: number; pgid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid, pgid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid), pgid: Number(pgid) };
  } catch {
    return undefined;
  }
}

/** Every live process (zombies excluded: they hold nothing) whose environment carries `tag`, from /proc. */
export function taggedProcesses(tag: { name: string; value: string }): Tagged[] {
  const needle = `${tag.name}=${tag.value}`;
  const found: Tagged[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(needle)) continue;
      const info = stat(pid);
      if (!info || info.state === 'Z') continue;
      found.push({
        pid: Number(pid),
        ppid: info.ppid,
        pgid: info.pgid,
        args: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(),
      });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Waits, bounded, until no tagged process is left; returns those still there at the end. */
export async function untilNoneLeft(tag: { name: string; value: string }, timeoutMs = 20_000): Promise<Tagged[]> {
  const deadline = Date.now() + timeoutMs;
  let left = taggedProcesses(tag);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = taggedProcesses(tag);
  }
  return left;
}

/** SIGKILL to every tagged process: a failed test must not leave its stack running. */
export function killTagged(tag: { name: string; value: string }): void {
  for (const { pid } of taggedProcesses(tag)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** The TCP sockets the processes listen on, with their local addresses, from /proc/net/tcp and tcp6. */
export function listeningAddresses(pids: number[]): { pid: number; address: string; port: number }[] {
  const inodes = new Map<string, number>();
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const link = (() => {
          try {
            return readlinkSync(`/proc/${pid}/fd/${fd}`);
          } catch {
            return '';
          }
        })();
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m) inodes.set(m[1], pid);
      }
    } catch {
      // Gone meanwhile.
    }
  }
  const found: { pid: number; address: string; port: number }[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue;
      const pid = inodes.get(cols[9]);
      if (pid === undefined) continue;
      const [hexAddress, hexPort] = cols[1].split(':');
      found.push({ pid, address: decodeAddress(hexAddress), port: parseInt(hexPort, 16) });
    }
  }
  return found;
}

/** /proc/net's hex address (little-endian 32-bit words) as text: 127.0.0.1, ::1, ::ffff:127.0.0.1, 0.0.0.0, ::. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/.{2}/g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || /^::ffff:127\./.test(address) || address === '::1';
}
