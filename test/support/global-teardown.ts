import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__FILES_API_EMULATORS__;
  if (!running) return;
  await Promise.all([running.emulators.stop(), running.pubsub.stop()]);
  rmSync(running.dataDir, { recursive: true, force: true });
}
