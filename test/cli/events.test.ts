import { FirestoreFileRecords } from '../../functions/adapters/firestore-file-records';
import { record } from '../unit/ports-contract';
import { seedMember, startStack, type Stack } from '../support/stack';
import { jsonLines, runCli, runCliToEnd } from './run-cli';

// `files events`: every event after a cursor, by type, and --follow until Ctrl-C (through the SDK's listEvents and followEvents).
let stack: Stack;
let env: Record<string, string>;
let records: FirestoreFileRecords;
const ORG = 'org_cli_events';

beforeAll(async () => {
  stack = await startStack(__filename);
  const { apiKey } = await seedMember(stack.db, ORG, 'usr_cli_events');
  env = { FILES_API_URL: stack.api.url, FILES_API_KEY: apiKey, FILES_ORG: ORG };
  records = new FirestoreFileRecords(stack.db, 10_000);
  for (const id of ['file_cli1', 'file_cli2', 'file_cli3']) await records.createUploading(record(ORG, id));
  await records.transition(ORG, 'file_cli2', 'uploading', { status: 'uploaded' });
});
afterAll(() => stack.close());

const files = (args: string[]) => runCliToEnd(args, env);

const lines = (stdout: string) => jsonLines<{ id: string; type: string; data: { file: { id: string } } }>(stdout);

/** The listing once the four seeded events are served (the feed lists an event about a second after its commit). */
async function allFour() {
  for (let i = 0; i < 50; i++) {
    const answer = await files(['events', '--json']);
    if (lines(answer.stdout).length >= 4) return answer;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the seeded events were never listed');
}

it('lists every event oldest first, from after a cursor, and by type', async () => {
  const all = await allFour();
  expect([all.code, all.stderr]).toEqual([0, '']);
  const events = lines(all.stdout);
  expect(events.map((e) => [e.type, e.data.file.id])).toEqual([
    ['file.created', 'file_cli1'],
    ['file.created', 'file_cli2'],
    ['file.created', 'file_cli3'],
    ['file.uploaded', 'file_cli2'],
  ]);
  const after = await files(['events', '--json', '--after', events[1].id]);
  expect(lines(after.stdout).map((e) => e.id)).toEqual(events.slice(2).map((e) => e.id));
  const typed = await files(['events', '--json', '--type', 'file.uploaded,file.failed', '--type', 'file.expired']);
  expect(lines(typed.stdout).map((e) => e.id)).toEqual([events[3].id]);
  const table = await files(['events']);
  expect(
    table.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[1]),
  ).toEqual(events.map((e) => e.type));
  const bad = await files(['events', '--type', 'file.renamed']);
  expect(bad.code).toBe(2);
  const unknown = await files(['events', '--after', 'evt_0000000000000000000000000']);
  expect([unknown.code === 0, unknown.stderr]).toEqual([false, expect.stringContaining('after')]);
});

it('--follow prints what comes after it started, until Ctrl-C', async () => {
  const last = lines((await allFour()).stdout)[3].id;
  const run = runCli(['events', '--json', '--follow', '--after', last], env);
  await records.transition(ORG, 'file_cli1', 'uploading', { status: 'cancelled' });
  for (let i = 0; i < 100 && lines(run.stdout()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(lines(run.stdout()).map((e) => [e.type, e.data.file.id])).toEqual([['file.cancelled', 'file_cli1']]);
  run.child.kill('SIGINT');
  expect(await run.exit).toEqual({ code: 0, signal: null });
});
