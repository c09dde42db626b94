import type { FileObject, FilesClient } from '@files-api/sdk';
import { el } from './dom';
import { displayName, compactBytes, formatTime } from './format';

const PAGE_SIZE = 50;

export interface FilesView {
  body: HTMLTableSectionElement;
  note: HTMLElement;
  /** only names that start with this (any case); empty for all */
  search: string;
  /** after a file was deleted or its upload cancelled */
  changed: () => void;
  /** a failed action, said where the page reports such things */
  failed: (message: string) => void;
}

/** The organization's newest files (or, searching, those whose name starts so, by name), each with its actions. */
export async function renderFiles(client: FilesClient, view: FilesView): Promise<void> {
  const pages = client.listFiles({ limit: PAGE_SIZE, search: view.search || undefined });
  const first = await pages.next();
  await pages.return(undefined);
  const page = first.done ? undefined : first.value;
  const files = page?.files ?? [];
  view.body.replaceChildren(...files.map((file) => row(client, file, view)));
  const count = page && page.total > files.length ? `The first ${files.length} of ${page.total} files` : plural(files.length);
  view.note.textContent = view.search ? `${count} starting with “${view.search}”` : count;
}

const plural = (count: number) => `${count} file${count === 1 ? '' : 's'}`;

function row(client: FilesClient, file: FileObject, view: FilesView): HTMLTableRowElement {
  const name = displayName(file.original_filename);
  const actions = el('td', { class: 'actions' });
  if (file.status === 'uploaded') {
    const download = button('Download', name);
    download.addEventListener('click', () => void downloadFile(client, file, download));
    actions.append(download);
  }
  // Deleting an upload in progress cancels it (and its session); anything else is deleted with its bytes.
  const removal = file.status === 'uploading' ? button('Cancel', name) : button('Delete', name);
  removal.addEventListener('click', () => void remove(client, file, name, removal, view));
  actions.append(removal);
  return el(
    'tr',
    { 'data-file-id': file.id, 'data-status': file.status },
    el('td', { class: 'name', title: name }, name),
    el('td', { class: 'num', 'data-label': 'Size' }, size(file)),
    el('td', { 'data-label': 'Status' }, el('span', { class: `badge ${file.status}` }, file.status)),
    el('td', { class: 'when', 'data-label': 'Uploaded' }, formatTime(file.uploaded_at ?? file.created_at)),
    actions,
  );
}

/** Its visible text is the verb; a screen reader hears which file it acts on. */
function button(verb: string, name: string): HTMLButtonElement {
  return el('button', { type: 'button', 'aria-label': `${verb} ${name}` }, verb);
}

/** An upload in progress shows how far it has got, when storage said (bytes_received). */
function size(file: FileObject): string {
  if (file.bytes_received === undefined) return compactBytes(file.file_size);
  return `${compactBytes(file.bytes_received)} of ${compactBytes(file.file_size)}`;
}

async function remove(client: FilesClient, file: FileObject, name: string, button: HTMLButtonElement, view: FilesView): Promise<void> {
  const question = file.status === 'uploading' ? `Cancel the upload of ${name}?` : `Delete ${name}? This cannot be undone.`;
  if (!window.confirm(question)) return;
  button.disabled = true;
  try {
    await client.deleteFile(file.id);
    view.changed();
  } catch (error) {
    button.disabled = false;
    view.failed(
      `Could not ${file.status === 'uploading' ? 'cancel' : 'delete'} ${name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
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
