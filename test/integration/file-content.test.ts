import { validateFileContent } from '../../functions/generated/validators';
import { BOUNDARY, multipartBody } from '../support/multipart';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(__filename);
});
afterAll(() => stack.close());

const base = () => `${stack.api.url}/v1/organizations/${stack.organizationId}`;

async function uploaded(filename: string, bytes: Buffer, type: string): Promise<{ id: string }> {
  const response = await fetch(`${base()}/files/upload`, {
    method: 'POST',
    headers: { 'X-API-Key': stack.apiKey, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: multipartBody([{ name: 'file', filename, type, value: bytes }]),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
}

const content = (fileId: string, query = '') =>
  fetch(`${base()}/files/${fileId}/content${query}`, { headers: { 'X-API-Key': stack.apiKey } }).then(async (r) => ({
    status: r.status,
    json: (await r.json()) as Record<string, any>,
  }));

describe('GET …/files/{file_id}/content', () => {
  it('answers the file and a signed URL that reads it for an hour by default', async () => {
    const bytes = Buffer.from('%PDF-1.7\nthe content');
    const file = await uploaded('notes.pdf', bytes, 'application/pdf');
    const answer = await content(file.id);
    expect(answer.status).toBe(200);
    expect(validateFileContent(answer.json)).toBe(true);
    expect(answer.json).toMatchObject({ file_id: file.id, filename: 'notes.pdf', mime_type: 'application/pdf', file_size: bytes.length });
    const url = new URL(answer.json.download_url);
    expect(url.searchParams.get('X-Goog-Expires')).toBe('3600');
    const read = await fetch(answer.json.download_url);
    expect(Buffer.from(await read.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('names the download after the filename with ?disposition=attachment, as download-url does', async () => {
    const file = await uploaded('Résumé.pdf', Buffer.from('%PDF-1.7\n'), 'application/pdf');
    const answer = await content(file.id, '?disposition=attachment');
    const read = await fetch(answer.json.download_url);
    expect(read.headers.get('content-disposition')).toBe(`attachment; filename="R_sum_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf`);
    expect((await content(file.id, '?disposition=inline')).json.error.details.field).toBe('disposition');
  });

  it('is 404 for a file of no one, and 409 for one still uploading', async () => {
    expect((await content('file_doesnotexist')).json.error.code).toBe('FILE_NOT_FOUND');
    const session = await fetch(stack.uploadUrl(), {
      method: 'POST',
      headers: { 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'later.bin', file_size: 10, mime_type: 'application/octet-stream' }),
    }).then((r) => r.json() as Promise<{ file_id: string }>);
    const answer = await content(session.file_id);
    expect([answer.status, answer.json.error.code]).toEqual([409, 'FILE_STATE_CONFLICT']);
  });
});
