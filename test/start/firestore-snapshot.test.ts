import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotToImport } from '../../scripts/local-stack/firestore-snapshot';
import { recoveryNote } from '../../scripts/local-stack/recovery-note';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'files-api-snapshot-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A snapshot directory as an export leaves it; `savedAt` adds what saveSnapshot writes beside it. */
function snapshot(name: string, savedAt?: string): void {
  mkdirSync(join(dir, name, 'all_namespaces'), { recursive: true });
  writeFileSync(join(dir, name, `${name}.overall_export_metadata`), '');
  if (savedAt) writeFileSync(join(dir, name, 'saved.json'), JSON.stringify({ saved_at: savedAt, reason: 'background' }));
}

describe('snapshotToImport', () => {
  it('takes the current snapshot, with when and why it was saved', () => {
    snapshot('snapshot', '2026-01-02T03:04:05.000Z');
    snapshot('snapshot.previous', '2026-01-01T00:00:00.000Z');
    expect(snapshotToImport(dir)).toEqual({
      importPath: join(dir, 'snapshot', 'snapshot.overall_export_metadata'),
      savedAt: new Date('2026-01-02T03:04:05.000Z'),
      reason: 'background',
    });
  });

  it('falls back to the previous one when a stop came between the two renames of a swap', () => {
    snapshot('snapshot.previous', '2026-01-01T00:00:00.000Z');
    snapshot('snapshot.next', '2026-01-02T00:00:00.000Z');
    expect(snapshotToImport(dir)?.importPath).toBe(join(dir, 'snapshot.previous', 'snapshot.previous.overall_export_metadata'));
  });

  it('ignores an export that never finished, and loads an older snapshot that says nothing about itself', () => {
    mkdirSync(join(dir, 'snapshot'));
    snapshot('snapshot.previous');
    expect(snapshotToImport(dir)).toMatchObject({ savedAt: undefined, reason: undefined });
    rmSync(join(dir, 'snapshot.previous'), { recursive: true });
    expect(snapshotToImport(dir)).toBeUndefined();
  });
});

describe('recoveryNote', () => {
  const unclean = { pid: 4242, started_at: '2026-01-02T03:00:00.000Z' };

  it('says the last stop was unclean, which snapshot came back and how old it is', () => {
    const note = recoveryNote(
      unclean,
      { importPath: 'x', savedAt: new Date('2026-01-02T03:04:05.000Z'), reason: 'background' },
      new Date('2026-01-02T03:06:10.000Z'),
    );
    expect(note).toBe(
      'The last stop was unclean: the stack started at 2026-01-02T03:00:00.000Z (pid 4242) did not get to stop cleanly.\n' +
        'Firestore data recovered from the last snapshot (saved at 2026-01-02T03:04:05.000Z, 2 min 5 s ago); ' +
        'changes made less than ~2 s before that stop may be missing. Stored objects are kept.',
    );
  });

  it('says so when there was nothing to recover', () => {
    expect(recoveryNote(unclean, undefined)).toMatch(
      /\nNo Firestore snapshot had been saved, so Firestore starts empty; stored objects are kept\.$/,
    );
  });
});
