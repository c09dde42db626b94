import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { UploadSession } from '@files-api/sdk';

/**
 * Upload sessions in progress, one small JSON file each, so an interrupted
 * `files upload` goes on where it stopped. A session URI is a capability to
 * write the object: the directory is 0700 and every file 0600.
 */
export interface ResumeStore {
  load(key: ResumeKey): Promise<UploadSession | undefined>;
  save(key: ResumeKey, session: UploadSession): Promise<void>;
  forget(key: ResumeKey): Promise<void>;
}

/** The same file (path, size, mtime) uploaded to the same organization of the same API. */
export interface ResumeKey {
  apiUrl: string;
  organizationId: string;
  absolutePath: string;
  size: number;
  mtimeMs: number;
}

interface StoredEntry {
  key: ResumeKey;
  session: UploadSession;
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FILES_STATE_DIR) return env.FILES_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'files-cli', 'uploads');
}

export function resumeStore(dir: string): ResumeStore {
  const fileFor = (key: ResumeKey) =>
    join(
      dir,
      createHash('sha256')
        .update(JSON.stringify([key.apiUrl, key.organizationId, key.absolutePath, key.size, key.mtimeMs]))
        .digest('hex')
        .slice(0, 32) + '.json',
    );

  return {
    async load(key) {
      const text = await readFile(fileFor(key), 'utf8').catch(() => undefined);
      if (!text) return undefined;
      try {
        const entry = JSON.parse(text) as StoredEntry;
        const same = JSON.stringify(entry.key) === JSON.stringify(key);
        return same && Date.parse(entry.session.expires_at) > Date.now() ? entry.session : undefined;
      } catch {
        return undefined;
      }
    },
    async save(key, session) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = fileFor(key);
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify({ key, session } satisfies StoredEntry), { mode: 0o600 });
      await rename(temporary, file);
    },
    async forget(key) {
      await rm(fileFor(key), { force: true });
    },
  };
}

/** Drops entries whose session has expired (a file that changed leaves its old entry behind). */
export async function pruneExpired(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    let expires = 0;
    try {
      expires = Date.parse((JSON.parse(text) as StoredEntry).session.expires_at);
    } catch {
      // unreadable: dropped below
    }
    if (!(expires > Date.now())) await rm(join(dir, name), { force: true });
  }
}
