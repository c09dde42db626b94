import { FilesApiError, StorageError, type FilesClient, type Progress, type UploadSession } from '@files-api/sdk';
import { el } from './dom';
import { displayName, compactBytes, formatDuration } from './format';
import { fingerprintOf, pendingUploads, type PendingUpload } from './pending-uploads';

type State = 'checking' | 'uploading' | 'paused' | 'interrupted' | 'done' | 'failed';

/**
 * One upload and its row: started from a picked file, or found in
 * localStorage after a reload (then it waits for the same file to be picked
 * again). Pause aborts the requests in flight; resume asks the session what it
 * has and sends only the rest.
 */
export class UploadItem {
  readonly root: HTMLLIElement;
  private readonly bar = el('progress', { max: '1', value: '0' });
  private readonly status = el('span', { class: 'status' });
  private readonly actions = el('span', { class: 'actions' });
  private file: File | undefined;
  private session: UploadSession | undefined;
  private controller: AbortController | undefined;

  constructor(
    private readonly client: FilesClient,
    private readonly onFinished: () => void,
    from: { file: File } | { pending: PendingUpload },
  ) {
    const name = displayName('file' in from ? from.file.name : from.pending.fingerprint.name);
    const size = 'file' in from ? from.file.size : from.pending.fingerprint.size;
    this.root = el(
      'li',
      { class: 'upload' },
      el('span', { class: 'name', title: name }, name),
      el('span', { class: 'size' }, compactBytes(size)),
      this.bar,
      this.status,
      this.actions,
    );
    if ('file' in from) {
      this.file = from.file;
      this.session = pendingUploads.find(client.organizationId, from.file)?.session;
    } else {
      this.session = from.pending.session;
      this.show('interrupted', 'Interrupted: choose or drop this file again to resume');
    }
    if (this.session) this.root.dataset.fileId = this.session.file_id;
  }

  /** Whether `file` is the one this interrupted upload waits for. */
  waitsFor(file: File): boolean {
    if (this.file || !this.session) return false;
    return pendingUploads.find(this.client.organizationId, file)?.session.file_id === this.session.file_id;
  }

  /** Starts (or, with a stored session, resumes) sending `file`. */
  start(file = this.file): void {
    if (!file || this.controller) return;
    this.file = file;
    const controller = new AbortController();
    this.controller = controller;
    this.show(this.session ? 'uploading' : 'checking', this.session ? 'Resuming…' : 'Computing the checksum…');
    this.client
      .uploadFile(file, {
        session: this.session,
        signal: controller.signal,
        onSession: (session) => {
          this.session = session;
          this.root.dataset.fileId = session.file_id;
          pendingUploads.save({ fingerprint: fingerprintOf(file), organizationId: this.client.organizationId, session });
          this.show('uploading', 'Uploading…');
        },
        onProgress: (progress) => this.progress(progress),
      })
      .then((registered) => {
        pendingUploads.remove(registered.id);
        this.bar.value = 1;
        this.show('done', `Uploaded · CRC32C ${registered.crc32c ?? 'n/a'}`);
        this.onFinished();
      })
      .catch((error: unknown) => this.failed(error, controller.signal))
      .finally(() => {
        if (this.controller === controller) this.controller = undefined;
      });
  }

  pause(): void {
    this.controller?.abort();
  }

  /** Drops the upload: its session is cancelled, and nothing is kept. */
  async discard(): Promise<void> {
    this.controller?.abort();
    if (this.session) {
      pendingUploads.remove(this.session.file_id);
      await this.client.deleteFile(this.session.file_id).catch(() => undefined);
    }
    this.root.remove();
  }

  private progress({ bytesSent, totalBytes, rate }: Progress): void {
    this.bar.value = totalBytes ? bytesSent / totalBytes : 1;
    const eta = rate > 0 ? ` · ${formatDuration((totalBytes - bytesSent) / rate)} left` : '';
    this.status.textContent = `${compactBytes(bytesSent)} of ${compactBytes(totalBytes)} · ${compactBytes(rate)}/s${eta}`;
    this.root.dataset.bytesSent = String(bytesSent);
  }

  private failed(error: unknown, signal: AbortSignal): void {
    if (signal.aborted) return this.show('paused', `Paused at ${compactBytes(Number(this.root.dataset.bytesSent ?? 0))}`);
    if (error instanceof StorageError && error.code === 'SESSION_GONE' && this.session) {
      pendingUploads.remove(this.session.file_id);
      this.session = undefined;
      return this.show('failed', 'The upload session expired or was cancelled: upload the file again');
    }
    if (error instanceof FilesApiError) {
      if (error.code === 'UPLOAD_VERIFICATION_FAILED' && this.session) pendingUploads.remove(this.session.file_id);
      return this.show('failed', `${error.message} (${error.code}${error.traceId ? `, trace ${error.traceId}` : ''})`);
    }
    this.show('failed', error instanceof Error ? error.message : String(error));
  }

  private show(state: State, text: string): void {
    this.root.dataset.state = state;
    this.status.textContent = text;
    const button = (label: string, action: () => void) => {
      const b = el('button', { type: 'button' }, label);
      b.addEventListener('click', action);
      return b;
    };
    const buttons: HTMLButtonElement[] = [];
    if (state === 'uploading' || state === 'checking') buttons.push(button('Pause', () => this.pause()));
    if (state === 'paused' || (state === 'failed' && this.session)) buttons.push(button('Resume', () => this.start()));
    if (state !== 'done') buttons.push(button(state === 'failed' && !this.session ? 'Dismiss' : 'Discard', () => void this.discard()));
    this.actions.replaceChildren(...buttons);
  }
}
