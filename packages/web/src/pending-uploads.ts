import type { UploadSession } from '@files-api/sdk';

/** What identifies a picked file again after a reload (a page cannot keep the File itself). */
export interface Fingerprint {
  name: string;
  size: number;
  lastModified: number;
}

/** An upload with a session, not yet registered: enough to go on after a reload. */
export interface PendingUpload {
  fingerprint: Fingerprint;
  organizationId: string;
  session: UploadSession;
}

const KEY = 'files-api.pending-uploads';

export const fingerprintOf = (file: File): Fingerprint => ({ name: file.name, size: file.size, lastModified: file.lastModified });

const same = (a: Fingerprint, b: Fingerprint) => a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;

/**
 * Sessions in localStorage, so an upload survives a reload or a closed tab:
 * picking the same file again goes on where the session stopped. A session URI
 * is the capability to write that one object for a week; it stays in this
 * browser's storage for this origin, and goes once the upload is done or dropped.
 */
export const pendingUploads = {
  all(organizationId: string): PendingUpload[] {
    return read().filter((p) => p.organizationId === organizationId);
  },
  find(organizationId: string, file: File): PendingUpload | undefined {
    const fingerprint = fingerprintOf(file);
    return read().find((p) => p.organizationId === organizationId && same(p.fingerprint, fingerprint));
  },
  save(upload: PendingUpload): void {
    write([...read().filter((p) => p.session.file_id !== upload.session.file_id), upload]);
  },
  remove(fileId: string): void {
    write(read().filter((p) => p.session.file_id !== fileId));
  },
};

function read(): PendingUpload[] {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(value) ? (value as PendingUpload[]).filter((p) => p?.session?.file_id && p.fingerprint) : [];
  } catch {
    return [];
  }
}

function write(uploads: PendingUpload[]): void {
  localStorage.setItem(KEY, JSON.stringify(uploads));
}
