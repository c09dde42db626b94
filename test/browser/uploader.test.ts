import { crc32c } from '@node-rs/crc32';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { freePort } from '../../emulator/free-port';
import { serveWebPage, type RunningWebPage } from '../../scripts/web-server';
import { startStack, type Stack } from '../support/stack';
import { launchChromium } from './chromium';

const CHUNK = 256 * 1024;
const HELD_CHUNK = 6; // the chunk the "network" holds until the page is reloaded
const PENDING = "localStorage.getItem('files-api.pending-uploads')";

let stack: Stack;
let web: RunningWebPage;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let scratch: string;

beforeAll(async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // Small chunks, so an upload of a few MiB has a middle to reload in.
  stack = await startStack(__filename, { CORS_ALLOWED_ORIGINS: origin, CHUNK_SIZE_RECOMMENDED: String(CHUNK) });
  web = await serveWebPage({
    root: join(__dirname, '..', '..', 'packages', 'web', 'dist'),
    host: '127.0.0.1',
    port,
    config: { apiUrl: stack.api.url, organizationId: stack.organizationId, apiKey: stack.apiKey },
    connectTo: [stack.api.url, process.env.STORAGE_EMULATOR_HOST as string],
  });
  browser = await launchChromium();
  context = await browser.newContext({ acceptDownloads: true });
  page = await context.newPage();
  scratch = mkdtempSync(join(tmpdir(), 'browser-uploader-'));
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await web?.close();
  await stack?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const crc32cBase64 = (bytes: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32c(bytes));
  return out.toString('base64');
};

describe('the browser uploader, in Chromium', () => {
  it('uploads a file of several MiB, survives a reload in the middle, lists it, and downloads the same bytes', async () => {
    const bytes = randomBytes(6 * 1024 * 1024 + 12345);
    const filename = 'holiday "video"; 日本.bin';
    // A file on disk: picked again after the reload, it is the same name, size and modification time.
    const file = join(scratch, filename);
    writeFileSync(file, bytes);

    // Chunks reach storage until the HELD_CHUNK-th, which hangs as on a stalled network.
    const ranges: string[] = [];
    let held: Route | undefined;
    let reloaded = false;
    const heldChunk = new Promise<void>((resolve) => {
      void page.route(/upload_id=/, async (route) => {
        const request = route.request();
        if (request.method() === 'PUT') ranges.push(`${reloaded ? 'after' : 'before'} ${await request.headerValue('content-range')}`);
        const chunks = ranges.filter((r) => r.startsWith('before bytes ') && !r.includes('*')).length;
        if (!reloaded && chunks === HELD_CHUNK && request.method() === 'PUT' && !held) {
          held = route;
          return resolve();
        }
        await route.continue();
      });
    });

    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(web.url);
    await page.locator('#file-input').setInputFiles(file);
    await heldChunk;
    const item = page.locator('li.upload');
    // The page has shown the chunks before the held one as confirmed.
    await page.waitForFunction(`Number(document.querySelector('li.upload')?.dataset.bytesSent) >= ${(HELD_CHUNK - 1) * CHUNK}`);
    const fileId = await item.getAttribute('data-file-id');
    expect(fileId).toMatch(/^file_/);
    const stored = await page.evaluate(PENDING);
    expect(JSON.parse(stored as string)[0].session.file_id).toBe(fileId);

    reloaded = true;
    await page.reload();
    await held?.abort().catch(() => undefined);
    await expect(item.getAttribute('data-state')).resolves.toBe('interrupted');
    await expect(item.getAttribute('data-file-id')).resolves.toBe(fileId);

    await page.locator('#file-input').setInputFiles(file);
    await page.locator('li.upload[data-state="done"]').waitFor({ timeout: 60_000 });

    // After the reload: one status query, then only what the session did not have.
    const after = ranges.filter((r) => r.startsWith('after'));
    expect(after[0]).toBe(`after bytes */${bytes.length}`);
    const firstSent = Number(after[1].match(/^after bytes (\d+)-/)?.[1]);
    expect(firstSent).toBeGreaterThanOrEqual((HELD_CHUNK - 1) * CHUNK);
    expect(firstSent % CHUNK).toBe(0);

    // The stored object is the file: its CRC32C, and the record's.
    const record = (await (
      await fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}/files/${fileId}`, { headers: { 'X-API-Key': stack.apiKey } })
    ).json()) as { storage_path: string };
    expect(record).toMatchObject({ status: 'uploaded', original_filename: filename, file_size: bytes.length, crc32c: crc32cBase64(bytes) });
    const [metadata] = await stack.storage.bucket(stack.bucket).file(record.storage_path).getMetadata();
    expect(metadata.crc32c).toBe(crc32cBase64(bytes));
    expect(await page.evaluate(PENDING)).toBe('[]');

    const row = page.locator(`tr[data-file-id="${fileId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('uploaded');
    expect(await row.locator('td.name').textContent()).toBe(filename);

    // Straight from storage, under the original name (from filename*: the ASCII fallback has no 日本), which
    // Chromium then makes safe for any file system: its quotes become _.
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe(filename.replace(/"/g, '_'));
    const saved = join(scratch, 'downloaded.bin');
    await download.saveAs(saved);
    expect(readFileSync(saved).equals(bytes)).toBe(true);
  }, 120_000);

  it('pauses and resumes an upload without starting it again', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 7);
    const file = join(scratch, 'paused.bin');
    writeFileSync(file, bytes);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    let holding = true;
    const puts: string[] = [];
    const held = new Promise<void>((resolve) => {
      void page.route(/upload_id=/, async (route) => {
        const request = route.request();
        if (request.method() === 'PUT') puts.push((await request.headerValue('content-range')) as string);
        // The third chunk hangs until the page pauses (its abort ends the request).
        if (holding && puts.length === 3) return resolve();
        await route.continue();
      });
    });
    await page.goto(web.url);
    await page.locator('#file-input').setInputFiles(file);
    await held;
    const item = page.locator('li.upload').first();
    await item.getByRole('button', { name: 'Pause' }).click();
    await page.locator('li.upload[data-state="paused"]').waitFor();
    expect(puts).toHaveLength(3);
    holding = false;
    await item.getByRole('button', { name: 'Resume' }).click();
    await page.locator('li.upload[data-state="done"]').first().waitFor({ timeout: 60_000 });

    // Resumed: a status query, then on from what the session had, never from 0 again.
    expect(puts[3]).toBe(`bytes */${bytes.length}`);
    expect(puts.slice(3).filter((range) => range.startsWith('bytes 0-'))).toEqual([]);
    const fileId = await item.getAttribute('data-file-id');
    const record = (await (
      await fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}/files/${fileId}`, { headers: { 'X-API-Key': stack.apiKey } })
    ).json()) as object;
    expect(record).toMatchObject({ status: 'uploaded', file_size: bytes.length, crc32c: crc32cBase64(bytes) });
  }, 120_000);
});
