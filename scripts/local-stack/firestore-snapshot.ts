import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningFirestore } from '../../emulator/firestore';

const CURRENT = 'snapshot';
const PREVIOUS = 'snapshot.previous';
const NEXT = 'snapshot.next';
const ABOUT = 'saved.json';

/** Why a snapshot was taken: in the background after changes, or when the stack was stopping. */
export type SnapshotReason = 'background' | 'stop';

export interface Snapshot {
  /** the `.overall_export_metadata` file the emulator imports */
  importPath: string;
  savedAt: Date | undefined;
  reason: SnapshotReason | undefined;
}

function complete(dir: string): Snapshot | undefined {
  if (!existsSync(dir)) return undefined;
  const metadata = readdirSync(dir).find((name) => name.endsWith('.overall_export_metadata'));
  if (!metadata) return undefined;
  let about: { saved_at?: string; reason?: SnapshotReason } = {};
  try {
    about = JSON.parse(readFileSync(join(dir, ABOUT), 'utf8'));
  } catch {
    // A snapshot of an older version says nothing about itself; it still loads.
  }
  const savedAt = about.saved_at ? new Date(about.saved_at) : undefined;
  return {
    importPath: join(dir, metadata),
    savedAt: savedAt && !Number.isNaN(savedAt.getTime()) ? savedAt : undefined,
    reason: about.reason,
  };
}

/** The export to load at start: the current snapshot, or the one before it if a stop came mid-swap. */
export function snapshotToImport(dir: string): Snapshot | undefined {
  return complete(join(dir, CURRENT)) ?? complete(join(dir, PREVIOUS));
}

/** Exports the project beside the current snapshot, then swaps it in. Whenever the process dies on
 * the way, one complete snapshot is left: the current one, or the previous one while they swap. */
export async function saveSnapshot(emulator: RunningFirestore, projectId: string, dir: string, reason: SnapshotReason): Promise<void> {
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, NEXT), { recursive: true, force: true });
  const savedAt = new Date();
  await emulator.exportData({ projectId, directory: dir, name: NEXT });
  writeFileSync(join(dir, NEXT, ABOUT), `${JSON.stringify({ saved_at: savedAt.toISOString(), reason })}\n`);
  rmSync(join(dir, PREVIOUS), { recursive: true, force: true });
  if (existsSync(join(dir, CURRENT))) renameSync(join(dir, CURRENT), join(dir, PREVIOUS));
  renameSync(join(dir, NEXT), join(dir, CURRENT));
  rmSync(join(dir, PREVIOUS), { recursive: true, force: true });
}
