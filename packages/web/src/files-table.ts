import type { FileObject, FilesClient } from '@files-api/sdk';
import { el } from './dom';
import { displayName, formatBytes, formatTime } from './format';

const PAGE_SIZE = 50;

/** The organization's newest files, with a download for each uploaded one. */
export async function renderFiles(client: FilesClient, body: HTMLTableSectionElement, note: HTMLElement): Promise<void> {
  const pages = client.listFiles({ limit: PAGE_SIZE });
  const first = await pages.next();
  await pages.return(undefined);
  const page = first.done ? undefined : first.value;
  const files = page?.files ?? [];
  body.replaceChildren(...files.map((file) => row(client, file)));
  note.textContent =
    page && page.total > files.length
      ? `The newest ${files.length} of ${page.total} files`
      : `${files.length} file${files.length === 1 ? '' : 's'}`;
}

function row(client: FilesClient, file: FileObject): HTMLTableRowElement {
  const actions = el('td', { class: 'actions' });
  if (file.status === 'uploaded') {
    const download = el('button', { type: 'button' }, 'Download');
    download.addEventListener('click', () => void downloadFile(client, file, download));
    actions.append(download);
  }
  return el(
    'tr',
    { 'data-file-id': file.id, 'data-status': file.status },
    el('td', { class: 'name', title: displayName(file.original_filename) }, displayName(file.original_filename)),
    el('td', { class: 'num' }, formatBytes(file.file_size)),
    el('td', {}, el('span', { class: `badge ${file.status}` }, file.status)),
    el('td', {}, formatTime(file.uploaded_at ?? file.created_at)),
    actions,
  );
}

/** The browser downloads it straight from storage, named after the original file (the URL's Content-Disposition). */
async function downloadFile(client: FilesClient, file: FileObject, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const { download_url: url } = await client.getDownloadUrl(file.id, { disposition: 'attachment' });
    const link = el('a', { href: url, rel: 'noopener noreferrer' });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    button.title = error instanceof Error ? error.message : String(error);
  } finally {
    button.disabled = false;
  }
}
