// Placeholder: the storage emulator issue replaces this with the real launcher.
export interface RunningStorageEmulator {
  /** e.g. http://127.0.0.1:41234 (what STORAGE_EMULATOR_HOST wants) */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface StorageEmulatorOptions {
  host?: string;
  /** 0 (default) lets the OS choose */
  port?: number;
  dataDir: string;
  sessionTtlSeconds?: number;
  /** extra environment for the child */
  env?: NodeJS.ProcessEnv;
}

export async function startStorageEmulator(_opts: StorageEmulatorOptions): Promise<RunningStorageEmulator> {
  throw new Error('storage emulator not built yet');
}
