import { validateDownloadUrlResponse, validateErrorEnvelope } from '../../functions/generated/validators';
import { seedMember, startStack, type Stack } from '../support/stack';

let stack: Stack;
let shortLived: Stack;
beforeAll(async () => {
  stack = await startStack(__filename, { DOWNLOAD_URL_TTL_SECONDS: '600' });
  // The same project and bucket, with URLs that live one second.
  shortLived = await startStack(__filename, { DOWNLOAD_URL_TTL_SECONDS: '1' });
});
afterAll(async () => {
  await stack.close();
  await shortLived.close();
});

type Json = Record<string, any>;

async function api(method: string, path: string, options: { body?: unknown; key?: string; org?: string; via?: Stack } = {}) {
  const response = await fetch(`${(options.via ?? stack).api.url}/v1/organizations/${options.org ?? stack.organizationId}${path}`, {
    method,
    headers: { 'X-API-Key': options.key ?? stack.apiKey, ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Json, headers: response.headers };
}

/** upload-url, the bytes in one PUT to the session, register: an `uploaded` file. */
async function uploadedFile(
  filename: string,
  bytes: Buffer,
  mime = 'application/octet-stream',
  org = stack.organizationId,
  key = stack.apiKey,
) {
  const session = await api('POST', '/files/upload-url', { body: { filename, file_size: bytes.length, mime_type: mime }, org, key });
  expect(session.status).toBe(200);
  const put = await fetch(session.json.upload_url, { method: 'PUT', body: bytes });
  expect(put.status).toBe(200);
  const registered = await api('POST', '/files', {
    body: { filename, gcs_path: session.json.gcs_path, file_size: bytes.length, mime_type: mime },
    org,
    key,
  });
  expect(registered.status).toBe(201);
  return registered.json;
}

describe('GET …/files/{file_id}/download-url', () => {
  it('answers a V4 signed URL for the object, and when it expires, in whole seconds', async () => {
    const file = await uploadedFile('report.bin', Buffer.from('downloadable bytes'));
    const before = Math.floor(Date.now() / 1000);
    const answer = await api('GET', `/files/${file.id}/download-url`);
    const after = Math.floor(Date.now() / 1000);
    expect(answer.status).toBe(200);
    expect(validateDownloadUrlResponse(answer.json)).toBe(true);
    expect(answer.headers.get('cache-control')).toBe('no-store');

    const url = new URL(answer.json.download_url);
    expect(`${url.protocol}//${url.host}`).toBe(process.env.STORAGE_EMULATOR_HOST);
    expect(decodeURIComponent(url.pathname)).toBe(`/${stack.bucket}/${file.storage_path}`);
    const q = url.searchParams;
    expect(q.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
    expect(q.get('X-Goog-Credential')).toMatch(
      /^files-api-local@files-api-test\.iam\.gserviceaccount\.com\/\d{8}\/auto\/storage\/goog4_request$/,
    );
    expect(q.get('X-Goog-Expires')).toBe('600');
    expect(q.get('X-Goog-SignedHeaders')).toBe('host');
    expect(q.get('X-Goog-Signature')).toMatch(/^[0-9a-f]{512}$/);
    expect(q.has('response-content-disposition')).toBe(false);
    // X-Goog-Date (yyyymmddThhmmssZ) plus X-Goog-Expires is exactly expires_at.
    const signedAt = Date.parse(
      (q.get('X-Goog-Date') as string).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    expect(Date.parse(answer.json.expires_at)).toBe(signedAt + 600_000);
    expect(signedAt / 1000).toBeGreaterThanOrEqual(before);
    expect(signedAt / 1000).toBeLessThanOrEqual(after);
    expect(answer.json.expires_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('names the download after the original filename, safely, with ?disposition=attachment', async () => {
    const cases: Array<[string, string]> = [
      ['plain.txt', `attachment; filename="plain.txt"; filename*=UTF-8''plain.txt`],
      ['say "hi"; now.txt', `attachment; filename="say _hi_; now.txt"; filename*=UTF-8''say%20%22hi%22%3B%20now.txt`],
      [
        'back\\slash 100%25.txt'.replace('\\', '＼'),
        `attachment; filename="back_slash 100_25.txt"; filename*=UTF-8''back%EF%BC%BCslash%20100%2525.txt`,
      ],
      [
        'Résumé – 日本語 😀.pdf',
        `attachment; filename="R_sum_ _ ___ _.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%20%E6%97%A5%E6%9C%AC%E8%AA%9E%20%F0%9F%98%80.pdf`,
      ],
      ["it's (1) *.txt", `attachment; filename="it's (1) *.txt"; filename*=UTF-8''it%27s%20%281%29%20%2A.txt`],
    ];
    for (const [name, expected] of cases) {
      const file = await uploadedFile(name, Buffer.from('x'));
      const answer = await api('GET', `/files/${file.id}/download-url?disposition=attachment`);
      expect(answer.status).toBe(200);
      const disposition = new URL(answer.json.download_url).searchParams.get('response-content-disposition');
      expect(disposition).toBe(expected);
      expect(disposition).not.toMatch(/[\r\n\x00-\x1f\x7f]/);
    }
  });

  it('downloads a name with bidi and other format controls without them, in both forms', async () => {
    // `invoice\u202Efdp.exe` displays as `invoiceexe.pdf`; U+200B, U+2066 and U+FEFF hide or reorder too.
    const file = await uploadedFile('invoice\u202efdp.\u200bexe\u2066\ufeff.txt', Buffer.from('x'));
    const answer = await api('GET', `/files/${file.id}/download-url?disposition=attachment`);
    expect(answer.status).toBe(200);
    const download = await fetch(answer.json.download_url);
    expect(download.status).toBe(200);
    const disposition = download.headers.get('content-disposition') ?? '';
    expect(disposition).toBe(`attachment; filename="invoice_fdp._exe__.txt"; filename*=UTF-8''invoice_fdp._exe__.txt`);
    expect(decodeURIComponent(disposition)).not.toMatch(/\p{Cf}/u);
  });

  it('refuses a filename with CR/LF at upload-url, so none can reach a header', async () => {
    const answer = await api('POST', '/files/upload-url', {
      body: { filename: 'a\r\nSet-Cookie: x.txt', file_size: 1, mime_type: 'text/plain' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error.details.field).toBe('filename');
  });

  it('refuses any other disposition with 400, before looking the file up', async () => {
    for (const query of [
      '?disposition=inline',
      '?disposition=',
      '?disposition=attachment&disposition=attachment',
      '?disposition=ATTACHMENT',
    ]) {
      const answer = await api('GET', `/files/file_doesnotexist/download-url${query}`);
      expect([answer.status, answer.json.error.code, answer.json.error.details.field]).toEqual([400, 'INVALID_FIELD_VALUE', 'disposition']);
      expect(validateErrorEnvelope(answer.json)).toBe(true);
    }
  });

  it('is 404 FILE_NOT_FOUND for another organization’s file, an unknown id, and a deleted file', async () => {
    const other = await seedMember(stack.db, 'org_other', 'usr_bob');
    const theirs = await uploadedFile('theirs.bin', Buffer.from('not yours'), 'application/octet-stream', 'org_other', other.apiKey);
    const mine = await uploadedFile('mine.bin', Buffer.from('mine'));
    expect((await api('DELETE', `/files/${mine.id}`)).status).toBe(204);
    for (const id of [theirs.id, 'file_AAAAAAAAAAAAAAAAAAAAAAAA', 'not-a-file-id', mine.id]) {
      const answer = await api('GET', `/files/${encodeURIComponent(id)}/download-url`);
      expect([answer.status, answer.json.error.code]).toEqual([404, 'FILE_NOT_FOUND']);
    }
    // Their own organization's path, with our key: not a member.
    const denied = await api('GET', `/files/${theirs.id}/download-url`, { org: 'org_other' });
    expect([denied.status, denied.json.error.code]).toEqual([403, 'ORGANIZATION_ACCESS_DENIED']);
    expect((await api('GET', `/files/${theirs.id}/download-url`, { org: 'org_other', key: other.apiKey })).status).toBe(200);
  });

  it('is 409 FILE_STATE_CONFLICT for a file of this organization that is not uploaded', async () => {
    const uploading = await api('POST', '/files/upload-url', {
      body: { filename: 'later.bin', file_size: 10, mime_type: 'application/octet-stream' },
    });
    const answer = await api('GET', `/files/${uploading.json.file_id}/download-url`);
    expect([answer.status, answer.json.error.code, answer.json.error.details]).toEqual([
      409,
      'FILE_STATE_CONFLICT',
      { status: 'uploading' },
    ]);
    expect((await api('DELETE', `/files/${uploading.json.file_id}`)).status).toBe(204);
    const cancelled = await api('GET', `/files/${uploading.json.file_id}/download-url`);
    expect([cancelled.status, cancelled.json.error.details]).toEqual([409, { status: 'cancelled' }]);
  });

  it('needs a key, and only answers GET', async () => {
    const anonymous = await fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}/files/file_x/download-url`);
    expect(anonymous.status).toBe(401);
    const post = await api('POST', '/files/file_x/download-url', { body: {} });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET']);
  });

  describe('the URL, at storage', () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    let file: Json;
    beforeAll(async () => {
      file = await uploadedFile('signed.bin', bytes);
    });
    const downloadUrl = async (query = '', via = stack) =>
      (await api('GET', `/files/${file.id}/download-url${query}`, { via })).json.download_url as string;

    it('reads the object: all of it, a range, or its head', async () => {
      const url = await downloadUrl();
      const whole = await fetch(url);
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
      expect(whole.headers.get('content-disposition')).toBeNull();
      const range = await fetch(url, { headers: { Range: 'bytes=1000-1999' } });
      expect(range.status).toBe(206);
      expect(Buffer.from(await range.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
      const head = await fetch(url, { method: 'HEAD' });
      expect([head.status, head.headers.get('content-length')]).toEqual([200, String(bytes.length)]);
    });

    it('makes storage answer with the Content-Disposition it was signed with', async () => {
      const named = await uploadedFile('say "hi"; 日本.txt', Buffer.from('hello'), 'text/plain');
      const answer = await api('GET', `/files/${named.id}/download-url?disposition=attachment`);
      const response = await fetch(answer.json.download_url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="say _hi_; __.txt"; filename*=UTF-8''say%20%22hi%22%3B%20%E6%97%A5%E6%9C%AC.txt`,
      );
      expect(await response.text()).toBe('hello');
    });

    it('is refused with 403 once anything signed is changed: signature, expiry, disposition, or the object', async () => {
      const other = await uploadedFile('other.bin', Buffer.from('another object'));
      const url = new URL(await downloadUrl('?disposition=attachment'));
      const tampered = (change: (u: URL) => void) => {
        const copy = new URL(url);
        change(copy);
        return copy.toString();
      };
      const signature = url.searchParams.get('X-Goog-Signature') as string;
      const variants = [
        tampered((u) => u.searchParams.set('X-Goog-Signature', `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`)),
        tampered((u) => u.searchParams.set('X-Goog-Expires', '604800')),
        tampered((u) => u.searchParams.set('response-content-disposition', 'attachment; filename="evil.exe"')),
        tampered(
          (u) =>
            (u.pathname = u.pathname
              .replace(encodeURIComponent(file.storage_path.split('/').pop()), 'other.bin')
              .replace(file.id, other.id)),
        ),
      ];
      for (const variant of variants) {
        expect(variant).not.toBe(url.toString());
        const response = await fetch(variant);
        expect(response.status).toBe(403);
        expect(await response.text()).not.toContain('another object');
      }
      // Without its signature it is no signed URL at all, and the object is private.
      const unsigned = await fetch(tampered((u) => u.searchParams.delete('X-Goog-Signature')));
      expect(unsigned.status).toBe(400);
      expect(await unsigned.text()).not.toContain('another object');
      expect((await fetch(url)).status).toBe(200);
    });

    it('is refused once expired', async () => {
      const answer = await api('GET', `/files/${file.id}/download-url`, { via: shortLived });
      expect(new URL(answer.json.download_url).searchParams.get('X-Goog-Expires')).toBe('1');
      // Wait out the second it lives (whole seconds: until expires_at has passed on the clock storage reads).
      await new Promise((resolve) => setTimeout(resolve, Date.parse(answer.json.expires_at) + 1100 - Date.now()));
      const response = await fetch(answer.json.download_url);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('ExpiredToken');
    });
  });
});
