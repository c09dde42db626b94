/**
 * Storage emulator throughput: upload 1 GiB with @google-cloud/storage in 8 MiB
 * chunks (resumable write stream) to the emulator, and write the same bytes to the
 * same disk with plain fs; report the ratios and the emulator's peak RSS (VmHWM,
 * goal <= 100 MB). The fs side runs twice: doing the emulator's durable work (the
 * bytes written and synced once at the end; goal >= 0.9) and unsynced (written to the
 * page cache only; its sync runs after the clock stops, so its writeback does not
 * land on the next measurement). The upload runs with the client's own CRC32C
 * validation on (its default, the library's JavaScript CRC32C), on with a native
 * CRC32C given to the client (its `crc32cGenerator` option), and off, each on a fresh
 * emulator process: this tells the emulator's cost from the client's. The five
 * measurements alternate `--runs` times, in an order rotated every round, and the
 * medians are compared, since the machine is shared. `--profile DIR` has each
 * emulator write a V8 CPU profile (`--cpu-prof`) into DIR, and the client one of each
 * upload, and prints where each spent its busy time; `--only native,off` runs only
 * those client settings.
 *
 *   npm run build && node dist/bench/storage-emulator-throughput.js [--size-mib 1024] [--chunk-mib 8] [--runs 3] [--wait-quiet 60] [--profile DIR] [--only js,native,off]
 */
import { CRC32C, Storage, type CRC32CValidator } from '@google-cloud/storage';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Crc32c, startStorageEmulator } from '@files-api/gcs-emulator';
import { busyCoresSince, machineCpu, machineLine, USER_HZ, waitForQuiet } from './lib/machine';

const MIB = 1024 * 1024;
const PIECE = MIB;

interface Options {
  sizeMiB: number;
  chunkMiB: number;
  runs: number;
  waitQuietSeconds: number;
  profileDir: string | undefined;
  clients: ClientCrc32c[];
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    sizeMiB: 1024,
    chunkMiB: 8,
    runs: 3,
    waitQuietSeconds: 60,
    profileDir: undefined,
    clients: [...CLIENT_CRC32C],
  };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--profile') {
      options.profileDir = resolve(argv[i + 1] ?? '.');
      mkdirSync(options.profileDir, { recursive: true });
      continue;
    }
    if (argv[i] === '--only') {
      const wanted = (argv[i + 1] ?? '').split(',');
      options.clients = CLIENT_CRC32C.filter((c) => wanted.includes(c));
      if (options.clients.length !== wanted.length) throw new Error(`--only takes a list of ${CLIENT_CRC32C.join(', ')}`);
      continue;
    }
    const value = Number(argv[i + 1]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${argv[i]} needs a number`);
    if (argv[i] === '--size-mib') options.sizeMiB = value;
    else if (argv[i] === '--chunk-mib') options.chunkMiB = value;
    else if (argv[i] === '--runs') options.runs = Math.max(1, Math.round(value));
    else if (argv[i] === '--wait-quiet') options.waitQuietSeconds = value;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return options;
}

/** The same bytes for both writers: a random 1 MiB block, each piece a fresh copy
 * stamped with its index (the client keeps pieces until their chunk is answered, so
 * they cannot be reused). Costs a memcpy per MiB, the same on both sides. */
function* generate(totalBytes: number): Generator<Buffer> {
  const block = Buffer.alloc(PIECE);
  for (let i = 0; i < PIECE; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  for (let at = 0, index = 0; at < totalBytes; at += PIECE, index += 1) {
    const piece = Buffer.allocUnsafe(Math.min(PIECE, totalBytes - at));
    block.copy(piece, 0, 0, piece.length);
    piece.writeUInt32LE(index, 0);
    yield piece;
  }
}

interface Run {
  seconds: number;
  mibPerSecond: number;
}

async function timed(sizeMiB: number, work: () => Promise<void>): Promise<Run> {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, mibPerSecond: sizeMiB / seconds };
}

/** Plain fs on the same disk: the bytes written, then synced once (`durable`, the
 * emulator's work: it syncs each chunk it acknowledges) or not (the page cache only).
 * An unsynced file is synced after the clock stops, so its writeback does not slow
 * the next measurement. */
async function fsWrite(dir: string, sizeMiB: number, durable: boolean): Promise<Run> {
  const path = join(dir, 'fs-baseline.bin');
  const file = await open(path, 'w');
  try {
    const run = await timed(sizeMiB, async () => {
      for (const piece of generate(sizeMiB * MIB)) await file.write(piece);
      if (durable) await file.sync();
    });
    if (!durable) await file.sync();
    return run;
  } finally {
    await file.close();
    rmSync(path, { force: true });
  }
}

/** The client's CRC32C validation: its default (JavaScript), the emulator's native one, or none. */
const CLIENT_CRC32C = ['js', 'native', 'off'] as const;
type ClientCrc32c = (typeof CLIENT_CRC32C)[number];
const CLIENT_CRC32C_LABEL: Record<ClientCrc32c, string> = { js: 'on (JS)    ', native: 'on (native)', off: 'off        ' };

function nativeValidator(): CRC32CValidator {
  const crc = new Crc32c();
  return { update: (bytes) => crc.update(bytes), toString: () => crc.toString(), validate: (value) => value === crc.toString() };
}

interface EmulatorRun extends Run {
  peakRssMiB: number;
  emulatorCpuSeconds: number;
  benchCpuSeconds: number;
  busyCores: number;
}

function procStatus(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(line.split(/\s+/)[1]) / 1024; // kB -> MiB
}

function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** One upload on a fresh emulator (own data dir on the same disk), so VmHWM is this run's peak. */
async function emulatorUpload(dir: string, options: Options, clientCrc32c: ClientCrc32c): Promise<EmulatorRun> {
  const dataDir = mkdtempSync(join(dir, 'emulator-'));
  const profiles = options.profileDir
    ? {
        emulator: join(options.profileDir, `emulator-${clientCrc32c}-${Date.now()}.cpuprofile`),
        client: join(options.profileDir, `client-${clientCrc32c}-${Date.now()}.cpuprofile`),
      }
    : undefined;
  const emulator = await startStorageEmulator({
    dataDir,
    ...(profiles
      ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dirname(profiles.emulator)}`, `--cpu-prof-name=${basename(profiles.emulator)}`] }
      : {}),
  });
  let run: EmulatorRun;
  try {
    const storage = new Storage({
      apiEndpoint: emulator.url,
      projectId: 'bench',
      ...(clientCrc32c === 'native' ? { crc32cGenerator: nativeValidator } : {}),
    });
    const [bucket] = await storage.createBucket('throughput');
    const totalBytes = options.sizeMiB * MIB;
    const cpuBefore = cpuSecondsOf(emulator.pid);
    const benchCpuBefore = process.cpuUsage();
    const machineBefore = machineCpu();
    const stopProfile = options.profileDir ? await startClientProfile() : undefined;
    const upload = await timed(options.sizeMiB, () =>
      pipeline(
        Readable.from(generate(totalBytes)),
        bucket.file('one-gib.bin').createWriteStream({
          resumable: true,
          chunkSize: options.chunkMiB * MIB,
          validation: clientCrc32c === 'off' ? false : 'crc32c',
          metadata: { contentLength: totalBytes },
          preconditionOpts: { ifGenerationMatch: 0 },
        }),
      ),
    );
    if (profiles) await stopProfile?.(profiles.client);
    const busyCores = busyCoresSince(machineBefore);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const [meta] = await bucket.file('one-gib.bin').getMetadata();
    if (Number(meta.size) !== totalBytes) throw new Error(`uploaded ${meta.size} bytes, expected ${totalBytes}`);
    run = {
      ...upload,
      peakRssMiB: procStatus(emulator.pid, 'VmHWM'),
      emulatorCpuSeconds: cpuSecondsOf(emulator.pid) - cpuBefore,
      benchCpuSeconds: (benchCpu.user + benchCpu.system) / 1e6,
      busyCores,
    };
  } finally {
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (profiles) {
    console.log(`  profile of the emulator (${profiles.emulator}), ${topSelfTime(profiles.emulator)}`);
    console.log(`  profile of the client during the upload (${profiles.client}), ${topSelfTime(profiles.client)}`);
  }
  return run;
}

/** Profiles this process (the client) in-process, so the profile covers the upload only;
 * the answer writes it to a file. */
async function startClientProfile(): Promise<(path: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolvePost, reject) => session.post(method, (err, result) => (err ? reject(err) : resolvePost(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async (path) => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
  };
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** The functions with the most self time in a V8 CPU profile, as shares of its busy (not idle) time. */
function topSelfTime(path: string, count = 5): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const names = new Map(
    profile.nodes.map(({ id, callFrame: { functionName, url, lineNumber } }) => [
      id,
      `${functionName || '(anonymous)'}${url ? ` ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : ''}`,
    ]),
  );
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = names.get(id) ?? '?';
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  self.delete('(idle)');
  const busy = [...self.values()].reduce((a, b) => a + b, 0);
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, count);
  return `busy ${(busy / 1e6).toFixed(1)} s: ${top.map(([name, us]) => `${name} ${((100 * us) / busy).toFixed(0)}%`).join(', ')}`;
}

/** What per-byte work costs on this machine: the checksums the emulator must keep for
 * every upload (its native CRC32C and MD5), and the client library's own CRC32C. */
function checksumSpeeds(): string {
  const pieces = [...generate(256 * MIB)];
  const speed = (update: (piece: Buffer) => void) => {
    const started = performance.now();
    for (const piece of pieces) update(piece);
    return (256 / ((performance.now() - started) / 1000)).toFixed(0);
  };
  const native = new Crc32c();
  const client = new CRC32C();
  const md5 = createHash('md5');
  speed((p) => native.update(p)); // warm-up: the first pass also pays for loading the native code
  speed((p) => client.update(p)); // warm-up: the JIT optimizes the byte loop on the way
  return (
    `checksums in one thread: CRC32C (emulator, native) ${speed((p) => native.update(p))} MiB/s,` +
    ` MD5 ${speed((p) => md5.update(p))} MiB/s, CRC32C (client library, JS) ${speed((p) => client.update(p))} MiB/s`
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function describe(label: string, run: EmulatorRun, fs: FsRuns): string {
  return (
    `${label}: ${run.seconds.toFixed(2)} s  ${run.mibPerSecond.toFixed(0)} MiB/s  ratio durable ${(run.mibPerSecond / fs.durable.mibPerSecond).toFixed(2)},` +
    ` unsynced ${(run.mibPerSecond / fs.unsynced.mibPerSecond).toFixed(2)}  peak RSS ${run.peakRssMiB.toFixed(1)} MiB` +
    `  CPU s: emulator ${run.emulatorCpuSeconds.toFixed(1)}, client ${run.benchCpuSeconds.toFixed(1)}  (machine busy cores ${run.busyCores.toFixed(2)})`
  );
}

interface FsRuns {
  durable: Run;
  unsynced: Run;
}

type Measurement = 'fs-durable' | 'fs-unsynced' | ClientCrc32c;

/** The round's measurements, rotated by one each round so none always runs first. */
function roundOrder(round: number, clients: ClientCrc32c[]): Measurement[] {
  const all: Measurement[] = ['fs-durable', 'fs-unsynced', ...clients];
  const shift = (round - 1) % all.length;
  return [...all.slice(shift), ...all.slice(0, shift)];
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'storage-emulator-bench-'));
  const fsRuns: Record<'durable' | 'unsynced', Run[]> = { durable: [], unsynced: [] };
  const emulatorRuns: Record<ClientCrc32c, EmulatorRun[]> = { js: [], native: [], off: [] };
  try {
    console.log(await waitForQuiet(options.waitQuietSeconds * 1000));
    console.log(machineLine());
    console.log(checksumSpeeds());
    console.log(`${options.sizeMiB} MiB, client chunks of ${options.chunkMiB} MiB, ${options.runs} runs, data under ${tmpdir()}`);
    for (let round = 1; round <= options.runs; round += 1) {
      const pending: Array<{ label: string; run: EmulatorRun }> = [];
      const fs: Partial<FsRuns> = {};
      for (const measurement of roundOrder(round, options.clients)) {
        if (measurement === 'fs-durable' || measurement === 'fs-unsynced') {
          const durable = measurement === 'fs-durable';
          const run = await fsWrite(dir, options.sizeMiB, durable);
          fs[durable ? 'durable' : 'unsynced'] = run;
          fsRuns[durable ? 'durable' : 'unsynced'].push(run);
          const label = durable ? 'fs write + one fsync (durable)' : 'fs write, unsynced           ';
          console.log(`run ${round} ${label}:            ${run.seconds.toFixed(2)} s  ${run.mibPerSecond.toFixed(0)} MiB/s`);
        } else {
          const run = await emulatorUpload(dir, options, measurement);
          emulatorRuns[measurement].push(run);
          pending.push({ label: `run ${round} emulator, client CRC32C ${CLIENT_CRC32C_LABEL[measurement]}`, run });
        }
      }
      for (const { label, run } of pending) console.log(describe(label, run, fs as FsRuns));
    }
    const durable = median(fsRuns.durable.map((r) => r.mibPerSecond));
    const unsynced = median(fsRuns.unsynced.map((r) => r.mibPerSecond));
    console.log(`\nmedians: fs durable ${durable.toFixed(0)} MiB/s, fs unsynced ${unsynced.toFixed(0)} MiB/s`);
    for (const clientCrc32c of options.clients) {
      const runs = emulatorRuns[clientCrc32c];
      const throughput = median(runs.map((r) => r.mibPerSecond));
      console.log(
        `  emulator, client CRC32C ${CLIENT_CRC32C_LABEL[clientCrc32c]}: ${throughput.toFixed(0)} MiB/s, ratio durable ${(throughput / durable).toFixed(2)} (goal >= 0.9),` +
          ` unsynced ${(throughput / unsynced).toFixed(2)}, peak RSS max ${Math.max(...runs.map((r) => r.peakRssMiB)).toFixed(1)} MiB (goal <= 100 MB = 95.4 MiB),` +
          ` emulator CPU ${median(runs.map((r) => r.emulatorCpuSeconds)).toFixed(1)} s, client CPU ${median(runs.map((r) => r.benchCpuSeconds)).toFixed(1)} s`,
      );
    }
    console.log(machineLine());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
