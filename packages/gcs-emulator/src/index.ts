// The package's API: the emulator in this process, or as a child process that
// no caller outlives; its CLI is main.ts (bin `gcs-emulator`).
export { startEmulator, type Emulator } from './emulator';
export type { EmulatorConfig } from './emulator-state';
export { startStorageEmulator, storageEmulatorScript, type RunningStorageEmulator, type StorageEmulatorOptions } from './start';
export { Crc32c } from './crc32c';
// matchGlob's matcher, for its benchmark (bench/glob-matcher.ts).
export { compileGlob, type GlobMatcher } from './glob';
