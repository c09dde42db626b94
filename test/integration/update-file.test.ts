import { validateErrorEnvelope, validateFile } from '../../functions/generated/validators';
import { startStack, type Stack } from '../support/stack';
import { orgApi, type Json } from '../support/org-api';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(__filename);
});
afterAll(() => stack.close());

const api = (method: string, path: string, body?: unknown, raw?: string) => orgApi(stack, method, path, body, { raw });

/** One direct upload: an `uploaded` file. */
async function uploaded(filename: string, metadata?: Record<string, string>): Promise<Json> {
  const form = new FormData();
  if (metadata) form.append('metadata', JSON.stringify(metadata));
  form.append('file', new Blob(['plain text bytes'], { type: 'text/plain' }), filename);
  const response = await fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}/files/upload`, {
    method: 'POST',
    headers: { 'X-API-Key': stack.apiKey },
    body: form,
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Json;
}

const errorOf = (answer: { status: number; json: Json }) => {
  expect(validateErrorEnvelope(answer.json)).toBe(true);
  return [answer.status, answer.json.error.code, answer.json.error.details?.field];
};

describe('PATCH …/files/{file_id}', () => {
  it('renames a file (NFC, as upload-url): get, list, content and downloads name it anew; the object keeps its path', async () => {
    const file = await uploaded('draft.txt');
    // "Résumé final.txt" sent decomposed.
    const answer = await api('PATCH', `/files/${file.id}`, { filename: 'Re\u0301sume\u0301 final.txt' });
    expect(answer.status).toBe(200);
    expect(validateFile(answer.json)).toBe(true);
    expect(answer.json).toEqual({ ...file, original_filename: 'Résumé final.txt' });
    expect((await api('GET', `/files/${file.id}`)).json.original_filename).toBe('Résumé final.txt');
    const listed = (await api('GET', '/files?limit=100')).json.files.find((f: Json) => f.id === file.id);
    expect(listed.original_filename).toBe('Résumé final.txt');
    expect(listed.storage_path).toBe(file.storage_path);

    const content = await api('GET', `/files/${file.id}/content?disposition=attachment`);
    expect(content.json.filename).toBe('Résumé final.txt');
    const download = await fetch(content.json.download_url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('plain text bytes');
    expect(download.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('Résumé final.txt')}`);
    const signed = await api('GET', `/files/${file.id}/download-url?disposition=attachment`);
    const disposition = new URL(signed.json.download_url).searchParams.get('response-content-disposition');
    expect(disposition).toContain(encodeURIComponent('Résumé final.txt'));
    const [stored] = await stack.storage.bucket(stack.bucket).file(file.storage_path).exists();
    expect(stored).toBe(true);
  });

  it('merges metadata: a string sets its key, null removes it, the rest stays; repeating it changes nothing', async () => {
    const file = await uploaded('labels.txt', { customer_id: 'c_1', draft: 'yes' });
    const change = { metadata: { draft: null, region: 'eu', customer_id: 'c_2', absent: null } };
    const first = await api('PATCH', `/files/${file.id}`, change);
    expect([first.status, first.json.metadata, first.json.original_filename]).toEqual([
      200,
      { customer_id: 'c_2', region: 'eu' },
      'labels.txt',
    ]);
    expect((await api('PATCH', `/files/${file.id}`, change)).json).toEqual(first.json);
    const both = await api('PATCH', `/files/${file.id}`, { filename: 'labels-2.txt', metadata: { region: null } });
    expect([both.json.original_filename, both.json.metadata]).toEqual(['labels-2.txt', { customer_id: 'c_2' }]);
    expect((await api('GET', `/files/${file.id}`)).json).toEqual(both.json);
  });

  it('refuses a merge that ends over 16 pairs with a 400 naming metadata, and changes nothing', async () => {
    const fifteen = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, 'v']));
    const file = await uploaded('full.txt', fifteen);
    const over = await api('PATCH', `/files/${file.id}`, { filename: 'renamed.txt', metadata: { a: '1', b: '2' } });
    expect(errorOf(over)).toEqual([400, 'INVALID_FIELD_VALUE', 'metadata']);
    expect(over.json.error.message).toContain('16');
    expect((await api('GET', `/files/${file.id}`)).json).toEqual(file);
    // Removing one makes room for one.
    const swap = await api('PATCH', `/files/${file.id}`, { metadata: { k0: null, a: '1', b: '2' } });
    expect([swap.status, Object.keys(swap.json.metadata).length]).toEqual([200, 16]);
  });

  it.each([
    ['an empty body', {}, 'MISSING_REQUIRED_FIELD', 'filename'],
    ['an unknown field', { filename: 'a.txt', purpose: 'x' }, 'UNKNOWN_FIELD', 'purpose'],
    ['a filename with a slash', { filename: 'a/b.txt' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['a filename of ..', { filename: '..' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['an empty filename', { filename: '' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['a filename over 255 characters', { filename: `${'x'.repeat(252)}.txt` }, 'INVALID_FIELD_VALUE', 'filename'],
    ['a filename with a line break', { filename: 'a\nb.txt' }, 'INVALID_FIELD_VALUE', 'filename'],
    ['a filename that is not a string', { filename: 7 }, 'INVALID_FIELD_VALUE', 'filename'],
    ['a metadata key that breaks its rule', { metadata: { 'bad key!': 'v' } }, 'INVALID_FIELD_VALUE', 'metadata'],
    ['a bad key, even to remove', { metadata: { 'bad key!': null } }, 'INVALID_FIELD_VALUE', 'metadata'],
    ['a metadata value that is a number', { metadata: { k: 1 } }, 'INVALID_FIELD_VALUE', 'metadata'],
    ['a metadata value over 500 characters', { metadata: { k: 'v'.repeat(501) } }, 'INVALID_FIELD_VALUE', 'metadata'],
    ['metadata that is not an object', { metadata: ['a'] }, 'INVALID_FIELD_VALUE', 'metadata'],
    ['a lone surrogate', { filename: 'a\ud800.txt' }, 'INVALID_FIELD_VALUE', 'filename'],
  ])('refuses %s with a 400 naming the field', async (_, body, code, field) => {
    const file = await uploaded('kept.txt', { keep: 'me' });
    expect(errorOf(await api('PATCH', `/files/${file.id}`, body))).toEqual([400, code, field]);
    expect((await api('GET', `/files/${file.id}`)).json).toEqual(file);
  });

  it('refuses a body that is not a JSON object, and one that is not JSON at all', async () => {
    const file = await uploaded('json.txt');
    expect(errorOf(await api('PATCH', `/files/${file.id}`, ['filename']))).toEqual([400, 'INVALID_JSON', undefined]);
    expect(errorOf(await api('PATCH', `/files/${file.id}`, undefined, '{"filename":'))).toEqual([400, 'INVALID_JSON', undefined]);
  });

  it('answers 404 for an unknown, malformed or deleted file, as get does', async () => {
    expect(errorOf(await api('PATCH', '/files/file_doesnotexist', { filename: 'x.txt' }))).toEqual([404, 'FILE_NOT_FOUND', undefined]);
    expect(errorOf(await api('PATCH', '/files/not-a-file-id', { filename: 'x.txt' }))).toEqual([404, 'FILE_NOT_FOUND', undefined]);
    const file = await uploaded('gone.txt');
    expect((await api('DELETE', `/files/${file.id}`)).status).toBe(204);
    expect(errorOf(await api('PATCH', `/files/${file.id}`, { metadata: { a: 'b' } }))).toEqual([404, 'FILE_NOT_FOUND', undefined]);
  });

  it('changes the metadata of an upload in progress, but renames it only once complete (409)', async () => {
    const session = await api('POST', '/files/upload-url', { filename: 'big.bin', file_size: 1000, mime_type: 'application/octet-stream' });
    const path = `/files/${session.json.file_id}`;
    expect((await api('PATCH', path, { metadata: { batch: '7' } })).json).toMatchObject({ status: 'uploading', metadata: { batch: '7' } });
    const rename = await api('PATCH', path, { filename: 'other.bin' });
    expect(errorOf(rename)).toEqual([409, 'FILE_STATE_CONFLICT', undefined]);
    expect(rename.json.error.details.status).toBe('uploading');
    expect(JSON.stringify(rename.json)).not.toContain('upload_id');
  });
});
