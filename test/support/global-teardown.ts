import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__FILES_API_EMULATORS__;
  if (!running) return;
  await running.emulators.stop();
  rmSync(running.dataDir, { recursive: true, force: true });
}
