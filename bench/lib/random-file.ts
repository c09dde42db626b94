import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

const MIB = 1024 * 1024;

/** Writes `mib` MiB of random bytes (incompressible, unlike zeros) to `path`, 16 MiB at a time. */
export function writeRandomFile(path: string, mib: number): void {
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mib; i += 16) writeSync(fd, randomBytes(Math.min(16, mib - i) * MIB));
  } finally {
    closeSync(fd);
  }
}
