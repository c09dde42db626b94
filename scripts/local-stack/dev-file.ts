import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** `.local/dev.json`: where the running stack is, for people and scripts. It holds the demo key, so it is private to its owner. */
export interface DevFile {
  function_url: string;
  /** the finalize function, which the storage emulator sends its events to */
  finalize_url: string;
  /** the sweep function, which the stack POSTs to on a schedule */
  sweep_url: string;
  storage_url: string;
  bucket: string;
  project_id: string;
  firestore_host: string;
  /** the Pub/Sub emulator, which queues webhook deliveries */
  pubsub_host: string;
  organization_id: string;
  api_key: string;
}

/** The demo key an earlier start left, if its dev.json is readable. */
export function previousApiKey(path: string): string | undefined {
  try {
    const { api_key } = JSON.parse(readFileSync(path, 'utf8')) as Partial<DevFile>;
    return typeof api_key === 'string' ? api_key : undefined;
  } catch {
    return undefined;
  }
}

export function writeDevFile(path: string, dev: DevFile): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(dev, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
