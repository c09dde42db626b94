import { validateFileList } from '../../functions/generated/validators';
import { startStack, type Stack } from '../support/stack';
import { orgApi, type Json } from '../support/org-api';

// search= and purpose= on GET …/files, with status and both paging styles, through the function and the emulators.
let stack: Stack;
const id: Record<string, string> = {};

const api = (method: string, path: string, body?: unknown) => orgApi(stack, method, path, body);

async function session(name: string, filename: string, purpose?: string) {
  const answer = await api('POST', '/files/upload-url', { filename, file_size: 1000, mime_type: 'application/pdf', purpose });
  expect(answer.status).toBe(200);
  id[name] = answer.json.file_id;
}

async function direct(name: string, filename: string, purpose?: string) {
  const form = new FormData();
  if (purpose) form.append('purpose', purpose);
  form.append('file', new Blob(['plain text'], { type: 'text/plain' }), filename);
  const response = await fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}/files/upload`, {
    method: 'POST',
    headers: { 'X-API-Key': stack.apiKey },
    body: form,
  });
  expect(response.status).toBe(201);
  id[name] = ((await response.json()) as Json).id;
}

beforeAll(async () => {
  stack = await startStack(__filename);
  await session('U1', 'Report 1.pdf', 'invoice');
  await session('U2', 'report 2.pdf');
  await session('U3', 'REPORT 3.pdf', 'invoice');
  await session('U4', 'Report 4.pdf');
  await direct('D5', 'report 5.txt', 'invoice');
  await direct('D6', 'report 6.txt');
  // Past U+F8FF, the usual "end of prefix" sentinel: still found.
  await session('U7', 'report\u{1f600}.txt');
  await session('U8', '\u00c4rger.pdf');
  // Sent decomposed (A + U+0308): stored, and found, in NFC.
  await session('U9', 'A\u0308rger 2.pdf');
  await session('U10', 'other.txt');
  await direct('D11', '\u00e4rger 3.txt');
  expect((await api('DELETE', `/files/${id.U4}`)).status).toBe(204);
  expect((await api('DELETE', `/files/${id.D6}`)).status).toBe(204);
});
afterAll(() => stack.close());

const names = (...keys: string[]) => keys.map((k) => id[k]);
async function page(query: string): Promise<Json> {
  const answer = await api('GET', `/files?${query}`);
  expect(answer.status).toBe(200);
  expect(validateFileList(answer.json)).toBe(true);
  return answer.json;
}
const listed = (answer: Json) => [answer.files.map((f: Json) => f.id), answer.total];

describe('search=', () => {
  it('finds filenames by a case-insensitive prefix, in filename order, with the total', async () => {
    expect(listed(await page('search=report'))).toEqual([names('U1', 'U2', 'U3', 'U4', 'D5', 'U7'), 6]);
    expect(listed(await page('search=RePoRt%202'))).toEqual([names('U2'), 1]);
    expect(listed(await page('search=report%F0%9F%98%80'))).toEqual([names('U7'), 1]);
    expect(listed(await page('search=zzz'))).toEqual([[], 0]);
    // An empty search is no search.
    expect((await page('search=')).total).toBe(10);
  });

  it('compares in NFC: a decomposed or upper-case Ä finds the precomposed and the decomposed upload alike', async () => {
    const expected = [names('U9', 'D11', 'U8'), 3];
    expect(listed(await page(`search=${encodeURIComponent('a\u0308rger')}`))).toEqual(expected);
    expect(listed(await page(`search=${encodeURIComponent('\u00c4RGER')}`))).toEqual(expected);
    expect((await api('GET', `/files/${id.U9}`)).json.original_filename).toBe('\u00c4rger 2.pdf');
  });

  it('combines with status and purpose; total counts what matches', async () => {
    expect(listed(await page('search=report&status=uploading'))).toEqual([names('U1', 'U2', 'U3', 'U7'), 4]);
    expect(listed(await page('search=report&purpose=invoice'))).toEqual([names('U1', 'U3', 'D5'), 3]);
    expect(listed(await page('search=report&purpose=invoice&status=uploading'))).toEqual([names('U1', 'U3'), 2]);
    expect(listed(await page('search=report&status=cancelled'))).toEqual([names('U4'), 1]);
    expect(listed(await page('search=report&status=expired'))).toEqual([[], 0]);
  });

  it('pages alike by number and by token, each page exact', async () => {
    for (const [query, pages] of [
      ['search=report&limit=4', [names('U1', 'U2', 'U3', 'U4'), names('D5', 'U7')]],
      ['search=report&status=uploading&limit=3', [names('U1', 'U2', 'U3'), names('U7')]],
      ['search=report&purpose=invoice&limit=1', [names('U1'), names('U3'), names('D5')]],
    ] as const) {
      const byNumber = [];
      for (let n = 1; n <= pages.length; n++) byNumber.push(await page(`${query}&page=${n}`));
      const byToken = [await page(query)];
      while (byToken[byToken.length - 1].has_more) {
        byToken.push(await page(`${query}&page_token=${byToken[byToken.length - 1].next_page_token}`));
      }
      expect(byToken.map((p) => p.files.map((f: Json) => f.id))).toEqual(pages);
      expect(byNumber.map((p) => p.files.map((f: Json) => f.id))).toEqual(pages);
      expect(byToken.map((p) => [p.page, p.total])).toEqual(byNumber.map((p) => [p.page, p.total]));
      expect(byNumber[byNumber.length - 1].has_more).toBe(false);
    }
  });

  it('refuses a page token with other filters than the listing that answered it', async () => {
    const first = await page('search=report&limit=2');
    for (const other of [
      'search=rep&limit=2',
      'limit=2',
      'search=report&purpose=invoice&limit=2',
      'search=report&status=uploading&limit=2',
    ]) {
      const answer = await api('GET', `/files?${other}&page_token=${first.next_page_token}`);
      expect([answer.status, answer.json.error.code, answer.json.error.details.field]).toEqual([400, 'INVALID_FIELD_VALUE', 'page_token']);
    }
    const unfiltered = await page('limit=2');
    const answer = await api('GET', `/files?search=report&limit=2&page_token=${unfiltered.next_page_token}`);
    expect([answer.status, answer.json.error.details.field]).toEqual([400, 'page_token']);
  });

  it('refuses a search over 255 characters, naming it', async () => {
    const answer = await api('GET', `/files?search=${'x'.repeat(256)}`);
    expect([answer.status, answer.json.error.code, answer.json.error.details.field]).toEqual([400, 'INVALID_FIELD_VALUE', 'search']);
  });
});

describe('purpose=', () => {
  it('lists only files of that purpose, newest first, with and without status, by number and by token', async () => {
    const invoices = await page('purpose=invoice');
    expect(invoices.total).toBe(3);
    expect([...invoices.files.map((f: Json) => f.id)].sort()).toEqual(names('U1', 'U3', 'D5').sort());
    const order = invoices.files.map((f: Json) => `${f.created_at} ${f.id}`);
    expect(order).toEqual([...order].sort().reverse());
    expect(listed(await page('purpose=invoice&status=uploaded'))).toEqual([names('D5'), 1]);
    const byToken = [await page('purpose=invoice&limit=2')];
    byToken.push(await page(`purpose=invoice&limit=2&page_token=${byToken[0].next_page_token}`));
    expect(byToken.flatMap((p) => p.files.map((f: Json) => f.id))).toEqual(invoices.files.map((f: Json) => f.id));
    expect((await page('purpose=user_upload')).total).toBe(7);
    expect(listed(await page('purpose=nothing_here'))).toEqual([[], 0]);
    const bad = await api('GET', '/files?purpose=Not%20A%20Word');
    expect([bad.status, bad.json.error.code, bad.json.error.details.field]).toEqual([400, 'INVALID_FIELD_VALUE', 'purpose']);
  });
});
