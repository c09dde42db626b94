import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local stack keeps capabilities under its directory: dev.json (an API key), the signing key, the
 * storage emulator's sessions and the Firestore export (records hold upload-session URIs). Everything
 * the stack, or a child it starts (the Java Firestore emulator writes the export), creates from here on
 * is its owner's alone: the umask is inherited by every child. What an earlier run left more open
 * (a checkout from before this rule) is closed once: 0700 directories, 0600 files.
 */
export function keepToOwner(localDir: string): void {
  process.umask(0o077);
  closeTree(localDir);
}

function closeTree(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) closeTree(path);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}
