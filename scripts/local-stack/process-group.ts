import { readdirSync, readFileSync } from 'node:fs';

const POLL_MS = 50;

function signal(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of the group is left (a zombie still counts until its parent reaps it). */
export function groupAlive(pgid: number): boolean {
  return signal(pgid, 0);
}

/** SIGTERM to every process of the group, SIGKILL to what is left after `graceMs`; resolves once the
 * group is empty. Works on the group, not on one child, so a program whose supervisor died is still
 * reached. */
export async function stopGroup(pgid: number, graceMs = 5000): Promise<void> {
  if (!signal(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) {
      signal(pgid, 'SIGKILL');
      // SIGKILL cannot be refused; what remains is a zombie its parent is about to reap.
      return;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** SIGKILL to the group, synchronously: for `process.on('exit')`, when there is no time to stop. */
export function killGroup(pgid: number): void {
  signal(pgid, 'SIGKILL');
}

/** Every process of the group, from /proc (Linux): e.g. a supervised program as well as its supervisor. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name (which may hold spaces): state, ppid, pgrp.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) members.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return members;
}
