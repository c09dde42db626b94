import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningEmulator } from '../../emulator/firestore/launch';

const CURRENT = 'snapshot';
const NEXT = 'snapshot.next';

/** The export to load at start, if an earlier stop saved one. */
export function snapshotToImport(dir: string): string | undefined {
  const snapshot = join(dir, CURRENT);
  if (!existsSync(snapshot)) return undefined;
  const metadata = readdirSync(snapshot).find((name) => name.endsWith('.overall_export_metadata'));
  return metadata && join(snapshot, metadata);
}

/** Exports the project beside the current snapshot, then swaps it in, so a failed export leaves the last good one. */
export async function saveSnapshot(emulator: RunningEmulator, projectId: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, NEXT), { recursive: true, force: true });
  await emulator.exportData({ projectId, directory: dir, name: NEXT });
  rmSync(join(dir, CURRENT), { recursive: true, force: true });
  renameSync(join(dir, NEXT), join(dir, CURRENT));
}
