import { FilesClient } from '@files-api/sdk';
import { byId } from './dom';
import { renderFiles } from './files-table';
import { pendingUploads } from './pending-uploads';
import { loadSettings, saveSettings, type Settings } from './settings';
import { UploadItem } from './upload-item';

const form = byId<HTMLFormElement>('settings-form');
const drop = byId<HTMLElement>('drop');
const input = byId<HTMLInputElement>('file-input');
const uploadList = byId<HTMLUListElement>('uploads');
const filesBody = byId<HTMLTableSectionElement>('files-body');
const filesNote = byId<HTMLElement>('files-note');
const pageStatus = byId<HTMLElement>('page-status');
const search = byId<HTMLInputElement>('search');
const SEARCH_PAUSE_MS = 250;

let client: FilesClient | undefined;
let items: UploadItem[] = [];

async function main(): Promise<void> {
  const settings = await loadSettings();
  if (settings) fillForm(settings);
  else byId<HTMLDetailsElement>('settings').open = true;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = readForm();
    saveSettings(next);
    connect(next);
  });
  input.addEventListener('change', () => {
    addFiles([...(input.files ?? [])]);
    input.value = '';
  });
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    addFiles([...(event.dataTransfer?.files ?? [])]);
  });
  byId('refresh').addEventListener('click', () => void refreshFiles());
  // One listing per pause in typing, not one per key.
  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => void refreshFiles(), SEARCH_PAUSE_MS);
  });
  byId<HTMLFormElement>('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(typing);
    void refreshFiles();
  });
  if (settings) connect(settings);
}

/** A client for these settings; uploads interrupted earlier (a reload, a closed tab) are listed again. */
function connect(settings: Settings): void {
  client = new FilesClient({ baseUrl: settings.apiUrl, apiKey: settings.apiKey, organizationId: settings.organizationId });
  for (const item of items) item.pause();
  items = pendingUploads.all(settings.organizationId).map((pending) => new UploadItem(client as FilesClient, refreshFiles, { pending }));
  uploadList.replaceChildren(...items.map((item) => item.root));
  byId('org-name').textContent = settings.organizationId;
  void refreshFiles();
}

function addFiles(files: File[]): void {
  if (!client) {
    pageStatus.textContent = 'Save the connection settings first';
    return;
  }
  for (const file of files) {
    const waiting = items.find((item) => item.waitsFor(file));
    if (waiting) {
      waiting.start(file);
      continue;
    }
    const item = new UploadItem(client, refreshFiles, { file });
    items.push(item);
    uploadList.prepend(item.root);
    item.start();
  }
}

async function refreshFiles(): Promise<void> {
  if (!client) return;
  try {
    await renderFiles(client, {
      body: filesBody,
      note: filesNote,
      search: search.value.trim(),
      changed: () => void refreshFiles(),
      failed: (message) => (pageStatus.textContent = message),
    });
    pageStatus.textContent = '';
  } catch (error) {
    pageStatus.textContent = `Could not list files: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function fillForm(settings: Settings): void {
  for (const [name, value] of Object.entries(settings)) (form.elements.namedItem(name) as HTMLInputElement).value = value;
}

function readForm(): Settings {
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  return { apiUrl: value('apiUrl'), organizationId: value('organizationId'), apiKey: value('apiKey') };
}

void main();
