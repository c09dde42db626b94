import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage, type GetSignedUrlConfig } from '@google-cloud/storage';
import type { RunningStorageEmulator } from '../src/start';
import { ownEmulator, pattern, storageClient } from './helpers';

// V4-signed read URLs made by the official Node client (file.getSignedUrl), verified by
// the emulator against the public key of --signing-credentials.
const BUCKET = 'emulator-signed-urls';
const NAME = 'dir/ünï cødé (1)!*.bin';
const data = pattern(300_000, 41);
let work: string;
let emulator: RunningStorageEmulator;
let cleanup: () => Promise<void>;
let signer: Storage;

function serviceAccount(email: string): { client_email: string; private_key: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { client_email: email, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

// All made up front: generating a key blocks the event loop long enough for an idle
// keep-alive connection to be closed under the client.
const account = serviceAccount('files-api@emulator-tests.iam.gserviceaccount.com');
const sameEmailOtherKey = serviceAccount(account.client_email);
const otherAccount = serviceAccount('someone@else.iam.gserviceaccount.com');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'signed-urls-'));
  const keyFile = join(work, 'key.json');
  writeFileSync(keyFile, JSON.stringify({ type: 'service_account', project_id: 'emulator-tests', ...account }));
  ({ emulator, cleanup } = await ownEmulator({ signingCredentials: keyFile }));
  signer = storageClient(emulator.url, { credentials: account });
  const [bucket] = await signer.createBucket(BUCKET);
  await bucket.file(NAME).save(data, { resumable: false, metadata: { contentType: 'application/x-test', contentDisposition: 'inline' } });
});

afterAll(async () => {
  await cleanup?.();
  rmSync(work, { recursive: true, force: true });
});

async function signedUrl(options: Partial<GetSignedUrlConfig> = {}, client = signer, name = NAME): Promise<string> {
  const [url] = await client
    .bucket(BUCKET)
    .file(name)
    .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 10 * 60_000, ...options });
  return url;
}

async function expectXmlError(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/xml');
  const body = await res.text();
  expect(body).toMatch(new RegExp(`^<\\?xml version='1.0' encoding='UTF-8'\\?><Error><Code>${code}</Code><Message>`));
  return body;
}

describe('V4-signed read URLs', () => {
  it('are made for the emulator host with the XML path, and serve the object', async () => {
    const url = new URL(await signedUrl());
    expect(url.origin).toBe(emulator.url);
    expect(url.pathname).toBe(`/${BUCKET}/dir/%C3%BCn%C3%AF%20c%C3%B8d%C3%A9%20%281%29%21%2A.bin`);
    expect(url.searchParams.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-test');
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
  });

  it('also verify for a client configured by STORAGE_EMULATOR_HOST alone (as the function is)', async () => {
    const shared = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = emulator.url;
    try {
      const fromEnv = new Storage({ projectId: 'emulator-tests', credentials: account });
      const url = await signedUrl({}, fromEnv);
      expect(new URL(url).origin).toBe(emulator.url);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    } finally {
      process.env.STORAGE_EMULATOR_HOST = shared;
    }
  });

  it('serve a Range (206) and HEAD', async () => {
    const url = await signedUrl();
    const part = await fetch(url, { headers: { Range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${data.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true);
    await expectXmlError(await fetch(url, { headers: { Range: `bytes=${data.length}-` } }), 416, 'InvalidRange');
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(data.length));
    expect(await head.text()).toBe('');
  });

  it('apply response-content-disposition and response-content-type', async () => {
    const url = await signedUrl({ responseDisposition: 'attachment; filename="report.bin"', responseType: 'application/pdf' });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="report.bin"');
    expect(res.headers.get('content-type')).toBe('application/pdf');
    await res.arrayBuffer();
  });

  it('refuse a tampered URL with 403 SignatureDoesNotMatch, saying what was signed', async () => {
    const url = new URL(await signedUrl());
    const tampered = [
      new URL(url.href.replace(encodeURIComponent('(1)').replace('(', '%28').replace(')', '%29'), '%282%29')),
      withParam(url, 'X-Goog-Expires', '3600'),
      withParam(url, 'response-content-type', 'text/html'),
      withParam(
        url,
        'X-Goog-Signature',
        (url.searchParams.get('X-Goog-Signature') as string).replace(/^./, (c) => (c === 'a' ? 'b' : 'a')),
      ),
    ];
    for (const each of tampered) {
      const body = await expectXmlError(await fetch(each), 403, 'SignatureDoesNotMatch');
      expect(body).toContain('<StringToSign>GOOG4-RSA-SHA256');
      expect(body).toContain('<CanonicalRequest>GET');
    }
    const put = await fetch(url, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(501);
  });

  it('refuse an expired URL with 400 ExpiredToken, as Cloud Storage does', async () => {
    // Signed two hours ago, for one minute.
    jest.useFakeTimers({
      now: Date.now() - 2 * 3600_000,
      doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'],
    });
    let url: string;
    try {
      url = await signedUrl({ expires: Date.now() + 60_000 });
    } finally {
      jest.useRealTimers();
    }
    const body = await expectXmlError(await fetch(url), 400, 'ExpiredToken');
    expect(body).toContain('The provided token has expired. Request signature expired at:');
  });

  it('refuse a URL signed with another key or for another account with 403', async () => {
    const otherKey = storageClient(emulator.url, { credentials: sameEmailOtherKey });
    await expectXmlError(await fetch(await signedUrl({}, otherKey)), 403, 'SignatureDoesNotMatch');
    const someoneElse = storageClient(emulator.url, { credentials: otherAccount });
    await expectXmlError(await fetch(await signedUrl({}, someoneElse)), 403, 'AccessDenied');
  });

  it('answer 404 NoSuchKey for a signed URL of a missing object', async () => {
    await expectXmlError(await fetch(await signedUrl({}, signer, 'missing.bin')), 404, 'NoSuchKey');
  });
});

describe('an emulator without --signing-credentials', () => {
  it('refuses every signed URL with 403 AccessDenied', async () => {
    const plain = await ownEmulator();
    try {
      const client = storageClient(plain.emulator.url, { credentials: account });
      await client.createBucket(BUCKET);
      await client.bucket(BUCKET).file('x').save('x', { resumable: false });
      const [url] = await client
        .bucket(BUCKET)
        .file('x')
        .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 60_000 });
      const body = await expectXmlError(await fetch(url), 403, 'AccessDenied');
      expect(body).toContain('--signing-credentials');
    } finally {
      await plain.cleanup();
    }
  });
});

function withParam(url: URL, name: string, value: string): URL {
  const copy = new URL(url.href);
  copy.searchParams.set(name, value);
  return copy;
}
