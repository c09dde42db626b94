import type { CRC32C as Crc32c } from '@google-cloud/storage';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** @google-cloud/storage's CRC32C class (no hand-rolled checksum), loaded from the
 * package's own crc32c.js: its index pulls in the whole client (about 22 MB of RSS
 * and 150 ms of start-up) for this one class. Falls back to the index if a future
 * version moves the file. */
function loadCrc32c(): typeof Crc32c {
  const index = require.resolve('@google-cloud/storage');
  const own = join(dirname(index), 'crc32c.js');
  const loaded = (existsSync(own) ? require(own) : require(index)) as { CRC32C?: typeof Crc32c };
  return loaded.CRC32C ?? (require(index) as { CRC32C: typeof Crc32c }).CRC32C;
}

export const CRC32C = loadCrc32c();
