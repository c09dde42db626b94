import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/**
 * The one way this repository starts, watches and stops processes: `npm start`, the Jest global setup,
 * the tests that run emulators of their own and the benchmarks all come through here.
 *
 * - `startProcess` runs a program as the leader of a process group of its own (a terminal's SIGHUP to our
 *   group does not reach it, and stopping the group stops whatever it started too). Its stdin is a pipe
 *   nothing is written to: the lifeline. A program we can add code to watches it (`onParentGone`); one we
 *   cannot (Java, a CLI) runs under supervise.js, which watches it in its place. Either way, when this
 *   process ends, however (SIGKILL included), the pipe closes and the program stops.
 * - `untilReady` waits for a readiness check (`untilHttp`, `untilPort`, or the program's own line), and
 *   fails with the program's exit and the tail of its output if it dies first.
 * - `stop()` (`stopGroup`) sends SIGTERM to the whole group and SIGKILL to what is left after a grace.
 *   Any group still running when this process exits gets SIGKILL from the exit hook below.
 * - `StartedSet` holds what a caller started (processes, servers, timers) so that every way out stops all
 *   of it, in a safe order.
 */

/** Something started that runs until stopped: a process, a server in this process, a timer. */
export interface Started {
  name: string;
  /** the process group leader, if it runs as a process group of its own */
  pid: number | undefined;
  /** settles with a short reason ("exited with code 1") once it stops serving, for whatever reason */
  exited: Promise<string>;
  /** an emulator the others write to: StartedSet stops it after everything that does not hold data */
  holdsData?: boolean;
  stop(): Promise<void>;
}

export interface ProcessSpec {
  /** how messages name it */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** run it under supervise.js, for a program that cannot watch its lifeline itself */
  supervise?: boolean;
  /** 'ignore' sends its stdout to /dev/null (written, as in production, but not read) */
  stdout?: 'pipe' | 'ignore';
  /** SIGTERM to SIGKILL, when stopped */
  graceMs?: number;
}

export interface StartedProcess extends Started {
  pid: number;
  /** null when the spec said 'ignore' */
  stdout: Readable | null;
  stderr: Readable;
  /** the last few kB of its output, for error messages */
  outputTail(): string;
}

/** What supervise.js exits with when the program is not there, as a shell does. */
export const COMMAND_NOT_FOUND = 127;
const TAIL_CHARS = 4000;
const STOP_GRACE_MS = 5000;
const POLL_MS = 50;

/** Groups started here and not yet seen to exit: killed when this process exits. */
const runningGroups = new Set<number>();
let exitHookInstalled = false;

/** supervise.js; from the TypeScript sources (Jest), the compiled one `npm run build` makes. */
function superviseScript(): string {
  const script = __filename.endsWith('.js') ? join(__dirname, 'supervise.js') : join(__dirname, '..', 'dist', 'scripts', 'supervise.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  return script;
}

/** Starts `spec.command` as described above; it is running (or failing to start) when this returns. */
export function startProcess(spec: ProcessSpec): StartedProcess {
  const [command, args] = spec.supervise ? [process.execPath, [superviseScript(), spec.command, ...spec.args]] : [spec.command, spec.args];
  const child = spawn(command, args, {
    detached: true,
    stdio: ['pipe', spec.stdout ?? 'pipe', 'pipe'],
    env: spec.env ?? process.env,
    cwd: spec.cwd,
  }) as ChildProcessByStdio<Writable, Readable | null, Readable>;
  // The lifeline must not keep this process alive, nor fail it when the other end goes first.
  child.stdin.on('error', () => undefined);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`could not be started: ${err.message}`));
    child.once('exit', (code, signal) => {
      if (child.pid !== undefined) runningGroups.delete(child.pid);
      resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`);
    });
  });
  // With no pid the spawn failed; `exited` says why, and there is no group to stop.
  const pid = child.pid ?? 0;
  if (pid) watchForExit(pid);
  return {
    name: spec.name,
    pid,
    exited,
    stdout: child.stdout,
    stderr: child.stderr,
    outputTail: () => tail,
    stop: async () => {
      if (pid) await stopGroup(pid, spec.graceMs);
    },
  };
}

function watchForExit(pgid: number): void {
  runningGroups.add(pgid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Whatever way this process ends, no group it started outlives it.
  process.on('exit', () => {
    for (const each of runningGroups) killGroup(each);
  });
}

/** Resolves with what `check` resolves with; rejects, saying how the program ended and what it said last,
 * if it exits first. A process that fails its check keeps running: the caller stops it. */
export async function untilReady<T>(started: StartedProcess, check: () => Promise<T>): Promise<T> {
  const died = started.exited.then((reason) => {
    throw new Error(`the ${started.name} ${reason} before it was ready:\n${started.outputTail()}`);
  });
  // Handled here too: after a timeout nobody awaits it, and it rejects when the process is stopped.
  died.catch(() => undefined);
  return Promise.race([check(), died]);
}

/** Resolves once `url` answers any HTTP status; rejects after `timeoutMs`. */
export async function untilHttp(url: string, timeoutMs: number): Promise<void> {
  await poll(() => answersHttp(url), timeoutMs, `${url} did not answer within ${timeoutMs} ms`);
}

/** Resolves once `host:port` accepts a TCP connection; rejects after `timeoutMs`. It sends no request, so the
 * server logs nothing (functions-framework listens only once the function is loaded). */
export async function untilPort(host: string, port: number, timeoutMs: number): Promise<void> {
  await poll(
    () => acceptsConnection(host, port, 1000),
    timeoutMs,
    `nothing accepted connections on ${host}:${port} within ${timeoutMs} ms`,
  );
}

async function poll(ready: () => Promise<boolean>, timeoutMs: number, failure: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function answersHttp(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Whether `host:port` accepts a TCP connection within `timeoutMs`. Sends nothing, so the server logs nothing. */
export function acceptsConnection(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const settle = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => settle(true));
    socket.once('timeout', () => settle(false));
    socket.once('error', () => settle(false));
  });
}

function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to every process of the group, SIGKILL to what is left after `graceMs`; resolves once the group is
 * empty. Works on the group, not on one child, so a program whose supervisor died is still reached. */
export async function stopGroup(pgid: number, graceMs = STOP_GRACE_MS): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  // A zombie still counts until its parent reaps it.
  while (signalGroup(pgid, 0)) {
    if (Date.now() > deadline) {
      signalGroup(pgid, 'SIGKILL');
      // SIGKILL cannot be refused; what remains is a zombie its parent is about to reap.
      return;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** SIGKILL to the group, synchronously: for exit hooks and signal handlers, when there is no time to stop. */
export function killGroup(pgid: number): void {
  signalGroup(pgid, 'SIGKILL');
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

/** The child side of the lifeline: calls `onGone` once when the process that started this one is gone,
 * however it went (SIGKILL included, which no signal handler sees): its end of our stdin pipe closes, or we
 * are re-parented. The pipe says so at once; the poll covers a parent that gave us no pipe (`watchStdin:
 * false` for a process whose stdin is not such a pipe, e.g. a terminal or /dev/null). */
export function onParentGone(onGone: () => void, { watchStdin = true }: { watchStdin?: boolean } = {}): void {
  const parent = process.ppid;
  let called = false;
  const gone = () => {
    if (called) return;
    called = true;
    clearInterval(poll);
    onGone();
  };
  const poll = setInterval(() => {
    if (process.ppid !== parent) gone();
  }, 500);
  poll.unref();
  if (watchStdin) {
    process.stdin.on('end', gone);
    process.stdin.on('close', gone);
    process.stdin.on('error', gone);
    // Nothing is ever sent on it; reading is what lets us see its end.
    process.stdin.resume();
  }
}

/** What a caller started so far, so that every way out stops all of it. */
export class StartedSet {
  private started: Started[] = [];

  add(each: Started): void {
    this.started.push(each);
  }

  /** The first to stop serving, with why. */
  firstExit(): Promise<{ name: string; reason: string }> {
    return Promise.race(this.started.map((s) => s.exited.then((reason) => ({ name: s.name, reason }))));
  }

  /** In the reverse order of starting, but what holds data last: the functions (which start before the
   * emulators) go first, so Firestore's data is saved with no request or event in flight. */
  async stop(): Promise<void> {
    const reversed = [...this.started].reverse();
    for (const each of [...reversed.filter((s) => !s.holdsData), ...reversed.filter((s) => s.holdsData)]) await each.stop();
    this.started = [];
  }
}
