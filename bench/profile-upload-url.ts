// Where the in-memory files server's CPU goes under the overhead bench's load
// (bench/RESULTS.md, stop 25): the server runs under `node --cpu-prof`, 16
// upload-urls in flight for --seconds, then the profile's self time is grouped
// by what pays it, as a share of the server's busy time and in µs per request.
//
//   node dist/bench/profile-upload-url.js [--server PATH] [--node PATH] [--seconds 12] [--out DIR]
//
// --node: the binary the server runs on (the bench's own by default), e.g. Node 24's, the deploy runtime.
import http from 'node:http';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../emulator/free-port';
import { newApiKey } from '../functions/domain/api-key';
import { spawnFunction, untilServing } from './lib/function-process';
import { closedLoop, post } from './lib/http-client';
import { BENCH_SERVERS } from './lib/paths';
import { uploadUrlCall } from './lib/upload-url-call';
import { BENCH_ORGANIZATION_ID } from './servers/bench-tenant';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    node: { type: 'string' },
    seconds: { type: 'string', default: '12' },
    out: { type: 'string', default: '.cache/profile' },
  },
});

/** What pays for a sample: the frame's own kind, or for Node's and the builtins' frames the files API's caller. */
function groupOf(profile: Map<number, ProfileNode>, parents: Map<number, number>, id: number): string {
  const { functionName, url } = profile.get(id)!.callFrame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (
    /domain|async_hooks/.test(url) ||
    /registerDestroyHook|setUncaughtExceptionCaptureCallback|promiseInitHook|runMicrotasks/.test(functionName)
  ) {
    return "the framework's per-request domain: async hooks on every promise";
  }
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const frame = profile.get(at)!.callFrame;
    if (frame.functionName === 'logRequest') return 'the request log line';
    if (frame.url.includes('/functions/adapters/in-memory')) return 'the in-memory doubles';
    // The answer's socket write is Node's work, whoever called it.
    if (frame.url.includes('/functions/') && (frame.functionName === 'end' || frame.functionName === 'write')) break;
  }
  if (functionName === '(program)') return "Node's http, net, streams and the rest";
  // A native frame (no url: a builtin, a socket write) goes with the nearest frame that has one.
  let caller = url;
  for (let at = parents.get(id); !caller && at !== undefined; at = parents.get(at)) caller = profile.get(at)!.callFrame.url;
  const native = url === '';
  if (caller.includes('/dist/functions/')) return native ? 'native code called from the files API' : "the files API's own code";
  if (caller.includes('/node_modules/')) return "the framework's packages (express, router, functions-framework)";
  return "Node's http, net, streams and the rest";
}

function summarize(file: string, requests: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const usPerSample = (profile.endTime - profile.startTime) / profile.samples.length;
  const groups = new Map<string, number>();
  for (const id of profile.samples) {
    const group = groupOf(nodes, parents, id);
    groups.set(group, (groups.get(group) ?? 0) + 1);
  }
  const busy = profile.samples.length - (groups.get('idle') ?? 0);
  groups.delete('idle');
  console.log(`| where | µs per request | share of busy |\n|---|---|---|`);
  for (const [group, samples] of [...groups].sort((a, b) => b[1] - a[1])) {
    console.log(`| ${group} | ${((samples * usPerSample) / requests).toFixed(0)} | ${((100 * samples) / busy).toFixed(1)} % |`);
  }
}

async function main(): Promise<void> {
  const out = resolve(values.out, String(Date.now()));
  mkdirSync(out, { recursive: true });
  const apiKey = newApiKey();
  const fn = spawnFunction({
    source: values.server ? resolve(values.server) : join(BENCH_SERVERS, 'files-in-memory.js'),
    target: 'files',
    port: await freePort(),
    env: { FILES_BUCKET: 'bench-bucket', GOOGLE_CLOUD_PROJECT: 'bench-project', BENCH_API_KEY: apiKey, BENCH_LATENCY_MS: '0' },
    node: values.node,
    nodeArgs: ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${out}`],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let requests = 0;
  try {
    await untilServing(fn);
    const call = uploadUrlCall(fn.url, BENCH_ORGANIZATION_ID, apiKey);
    const sample = await post(agent, call);
    if (sample.status !== 200) throw new Error(`files answered ${sample.status}: ${sample.body}`);
    const run = await closedLoop(agent, () => call, 16, Number(values.seconds) * 1000);
    if (run.failed > 0) throw new Error(`${run.failed} requests failed, e.g. ${run.lastFailure}`);
    requests = run.ok + 1;
    console.log(`${run.ok} upload-urls in ${run.seconds.toFixed(1)} s; profile in ${out}`);
  } finally {
    agent.destroy();
    // The profile is written as the server exits.
    await fn.stop();
  }
  const [file] = readdirSync(out).filter((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${out}`);
  summarize(join(out, file), requests);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
