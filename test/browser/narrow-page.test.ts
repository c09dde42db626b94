import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { freePort } from '../../emulator/free-port';
import { serveWebPage, type RunningWebPage } from '../../scripts/web-server';
import { startStack, type Stack } from '../support/stack';
import { launchChromium } from './chromium';

// The page's file list at 400 px wide, in Chromium: it holds (no sideways scrolling, every control on screen),
// searches by name, deletes and cancels, by mouse and by keyboard. The screenshot is kept under the temp dir.
const WIDTH = 400;
const LONG_NAME = 'Quarterly report of the northern region, with every appendix and the full set of tables.pdf';

let stack: Stack;
let web: RunningWebPage;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const ids: Record<string, string> = {};

beforeAll(async () => {
  const port = await freePort();
  stack = await startStack(__filename, { CORS_ALLOWED_ORIGINS: `http://127.0.0.1:${port}` });
  web = await serveWebPage({
    root: join(__dirname, '..', '..', 'packages', 'web', 'dist'),
    host: '127.0.0.1',
    port,
    config: { apiUrl: stack.api.url, organizationId: stack.organizationId, apiKey: stack.apiKey },
    connectTo: [stack.api.url, process.env.STORAGE_EMULATOR_HOST as string],
  });
  ids.report = await upload(LONG_NAME, '%PDF-1.7\n% numbers\n', 'application/pdf');
  ids.notes = await upload('notes.txt', 'plain notes\n', 'text/plain');
  ids.notesOld = await upload('Notes from March.txt', 'older notes\n', 'text/plain');
  ids.half = await halfUploaded('backup.bin', 1024 * 1024);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: WIDTH, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await web?.close();
  await stack?.close();
});

const filesUrl = () => `${stack.api.url}/v1/organizations/${stack.organizationId}/files`;

async function upload(name: string, text: string, type: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([text], { type }), name);
  const answer = await fetch(`${filesUrl()}/upload`, { method: 'POST', headers: { 'X-API-Key': stack.apiKey }, body: form });
  expect(answer.status).toBe(201);
  return ((await answer.json()) as { id: string }).id;
}

/** An upload whose session has the first quarter of its bytes. */
async function halfUploaded(name: string, size: number): Promise<string> {
  const session = (await (
    await fetch(stack.uploadUrl(), {
      method: 'POST',
      headers: { 'X-API-Key': stack.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ filename: name, file_size: size, mime_type: 'application/octet-stream' }),
    })
  ).json()) as { upload_url: string; file_id: string };
  const put = await fetch(session.upload_url, {
    method: 'PUT',
    headers: { 'Content-Range': `bytes 0-${size / 4 - 1}/${size}` },
    body: new Uint8Array(size / 4),
  });
  expect(put.status).toBe(308);
  return session.file_id;
}

async function statusOf(fileId: string): Promise<number | string> {
  const answer = await fetch(`${filesUrl()}/${fileId}`, { headers: { 'X-API-Key': stack.apiKey } });
  return answer.status === 200 ? ((await answer.json()) as { status: string }).status : answer.status;
}

// Page-side code is passed as strings: this project's TypeScript has no DOM types.
const rowOf = (fileId: string) => page.locator(`tr[data-file-id="${fileId}"]`);
const shownIds = () => page.locator('#files-body tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-file-id')));

/** The line above the list, once it says this (the list is drawn in the same step). */
const note = (text: string) => page.locator('#files-note').getByText(text, { exact: true });

/** Visible, and wholly inside the 400 px. */
async function expectOnScreen(control: Locator): Promise<void> {
  await expect(control.isVisible()).resolves.toBe(true);
  const box = await control.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(WIDTH);
}

it('holds at 400 px: nothing scrolls sideways, every control is on screen, an upload shows its progress', async () => {
  await page.goto(web.url);
  await rowOf(ids.half).waitFor();
  expect(await shownIds()).toHaveLength(4);

  const widths = await page.evaluate<{ document: number; body: number }>(
    '({ document: document.documentElement.scrollWidth, body: document.body.scrollWidth })',
  );
  expect(widths.document).toBeLessThanOrEqual(WIDTH);
  expect(widths.body).toBeLessThanOrEqual(WIDTH);
  for (const control of [
    page.getByLabel('Search by name'),
    page.getByText('Choose files'),
    page.getByRole('button', { name: 'Refresh' }),
    page.getByRole('button', { name: `Download ${LONG_NAME}` }),
    page.getByRole('button', { name: `Delete ${LONG_NAME}` }),
    page.getByRole('button', { name: 'Cancel backup.bin' }),
  ]) {
    await expectOnScreen(control);
  }
  // The long name is cut with an ellipsis inside its row, not allowed to widen it.
  const name = rowOf(ids.report).locator('td.name');
  await expectOnScreen(name);
  expect(await name.evaluate((cell) => cell.scrollWidth > cell.clientWidth)).toBe(true);
  await expect(rowOf(ids.half).locator('td.num').textContent()).resolves.toBe('256 KiB of 1.0 MiB');

  const artifacts = join(tmpdir(), 'files-api-test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(mkdtempSync(join(artifacts, 'web-400px-')), 'files.png'), fullPage: true });
});

it('searches by the start of the name, in any case, as one types', async () => {
  await page.getByLabel('Search by name').fill('NOTES');
  await note('2 files starting with “NOTES”').waitFor();
  expect(await shownIds()).toEqual([ids.notesOld, ids.notes]);
  await page.getByLabel('Search by name').fill('notes f');
  await note('1 file starting with “notes f”').waitFor();
  expect(await shownIds()).toEqual([ids.notesOld]);
  await page.getByLabel('Search by name').fill('');
  await note('4 files').waitFor();
  expect(await shownIds()).toHaveLength(4);
});

it('deletes a file from the keyboard once confirmed, keeps it when not, and cancels an upload in progress', async () => {
  const remove = page.getByRole('button', { name: 'Delete notes.txt' });
  page.once('dialog', (dialog) => void dialog.dismiss());
  await remove.focus();
  await page.keyboard.press('Enter');
  await expect(statusOf(ids.notes)).resolves.toBe('uploaded');

  const asked: string[] = [];
  page.once('dialog', (dialog) => {
    asked.push(dialog.message());
    void dialog.accept();
  });
  await remove.focus();
  await page.keyboard.press('Enter');
  await rowOf(ids.notes).waitFor({ state: 'detached' });
  expect(asked).toEqual(['Delete notes.txt? This cannot be undone.']);
  await expect(statusOf(ids.notes)).resolves.toBe(404);

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Cancel backup.bin' }).click();
  await page.locator(`tr[data-file-id="${ids.half}"][data-status="cancelled"]`).waitFor();
  await expect(statusOf(ids.half)).resolves.toBe('cancelled');
  // A cancelled upload can then be deleted like any other file.
  await expectOnScreen(page.getByRole('button', { name: 'Delete backup.bin' }));

  // The file picker is reachable by keyboard (a hidden input would not be).
  await page.locator('#file-input').focus();
  await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('file-input');
});
