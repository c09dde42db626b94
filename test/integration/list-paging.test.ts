import { seedUploadedFiles } from '../../bench/lib/seed-file-records';
import { validateFileList } from '../../functions/generated/validators';
import { seedMember, startStack, type Stack } from '../support/stack';

// Paging by page number and by page_token, on the real emulators and the function under functions-framework.
let stack: Stack;
let apiKey: string;
const ORG = 'org_paging';
const OTHER_ORG = 'org_paging_other';
const SEEDED = 57;
let newestFirst: string[];

beforeAll(async () => {
  stack = await startStack(__filename);
  // One caller, a member of both organizations: a token must not carry across even for someone allowed in both.
  ({ apiKey } = await seedMember(stack.db, ORG, 'usr_pager'));
  await seedMember(stack.db, OTHER_ORG, 'usr_pager');
  newestFirst = (await seedUploadedFiles(stack.db, ORG, SEEDED)).map((r) => r.id);
  await seedUploadedFiles(stack.db, OTHER_ORG, 15);
});
afterAll(() => stack.close());

type Json = Record<string, any>;

async function list(query: string, org = ORG, key = apiKey): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${stack.api.url}/v1/organizations/${org}/files${query}`, { headers: { 'X-API-Key': key } });
  return { status: response.status, json: (await response.json()) as Json };
}

async function walkByToken(first: string, org = ORG): Promise<Json[]> {
  const pages: Json[] = [];
  let answer = await list(first, org);
  for (;;) {
    expect(answer.status).toBe(200);
    expect(validateFileList(answer.json)).toBe(true);
    pages.push(answer.json);
    if (!answer.json.has_more) return pages;
    const params = new URLSearchParams(first.replace(/^\?/, ''));
    params.delete('page');
    params.set('page_token', answer.json.next_page_token);
    answer = await list(`?${params}`, org);
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const ids = (pages: Json[]) => pages.flatMap((p) => p.files.map((f: Json) => f.id));

describe('page_token', () => {
  it('walks every page, equal to the walk by page number, with next_page_token exactly when has_more', async () => {
    const byToken = await walkByToken('?limit=10');
    const byNumber: Json[] = [];
    for (let page = 1; page <= 6; page++) byNumber.push((await list(`?limit=10&page=${page}`)).json);
    expect(ids(byToken)).toEqual(newestFirst);
    expect(ids(byNumber)).toEqual(newestFirst);
    expect(byToken.map((p) => [p.page, p.files.length, p.total, p.has_more, typeof p.next_page_token])).toEqual([
      [1, 10, SEEDED, true, 'string'],
      [2, 10, SEEDED, true, 'string'],
      [3, 10, SEEDED, true, 'string'],
      [4, 10, SEEDED, true, 'string'],
      [5, 10, SEEDED, true, 'string'],
      [6, 7, SEEDED, false, 'undefined'],
    ]);
    expect(byNumber.map((p) => [p.page, p.has_more])).toEqual(byToken.map((p) => [p.page, p.has_more]));
    // A page number's answer carries the token of the page after it, so a walk can start anywhere.
    const fromThree = await walkByToken('?limit=10&page=3');
    expect(ids(fromThree)).toEqual(newestFirst.slice(20));
  });

  it('keeps to a status filter, and a page that ends the list exactly has no token', async () => {
    const uploaded = await walkByToken('?limit=19&status=uploaded');
    expect(uploaded.map((p) => p.files.length)).toEqual([19, 19, 19]);
    expect(uploaded[2]).not.toHaveProperty('next_page_token');
    expect(ids(uploaded)).toEqual(newestFirst);
    expect((await list('?status=uploading')).json).toMatchObject({ files: [], total: 0, has_more: false });
  });

  it('neither skips nor repeats a file when files are added during the walk', async () => {
    const org = 'org_paging_growing';
    const { apiKey: key } = await seedMember(stack.db, org, 'usr_grower');
    await seedUploadedFiles(stack.db, org, 12);
    const before = ids([(await list('?limit=100', org, key)).json]);
    const first = (await list('?limit=5', org, key)).json;
    const upload = await fetch(stack.uploadUrl(org), {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'late.bin', file_size: 10, mime_type: 'application/octet-stream' }),
    });
    expect(upload.status).toBe(200);
    const rest: Json[] = [];
    for (let token = first.next_page_token; token;) {
      const page = (await list(`?limit=5&page_token=${token}`, org, key)).json;
      rest.push(page);
      token = page.next_page_token;
    }
    expect(ids([first, ...rest])).toEqual(before);
    // By page number, the same walk would have shown the file at the boundary twice.
    expect(ids([(await list('?limit=5&page=2', org, key)).json])[0]).toBe(before[4]);
  });

  it('refuses a token that was altered, made up, or sent with a page number: 400 naming page_token', async () => {
    const token = (await list('?limit=10')).json.next_page_token as string;
    const decoded = Buffer.from(token, 'base64url').toString();
    const reencode = (text: string) => Buffer.from(text).toString('base64url');
    const bad = [
      'garbage',
      'x'.repeat(513),
      'has space',
      token.slice(0, -3),
      reencode(decoded.replace(/"p":\d+/, '"p":"2"')),
      reencode(decoded.replace(/"i":"[^"]+"/, '"i":"file_x/../../org_paging_other"')),
      reencode('{"__proto__":{"polluted":true}}'),
      reencode('9'.repeat(400)),
    ];
    for (const value of bad) {
      const answer = await list(`?limit=10&page_token=${encodeURIComponent(value)}`);
      expect({ value, status: answer.status, code: answer.json.error?.code, field: answer.json.error?.details?.field }).toEqual({
        value,
        status: 400,
        code: 'INVALID_FIELD_VALUE',
        field: 'page_token',
      });
      expect(answer.json).toMatchObject({ success: false, error: { type: 'client_error', status: 400 } });
    }
    const both = await list(`?limit=10&page=2&page_token=${token}`);
    expect([both.status, both.json.error.details.field]).toEqual([400, 'page_token']);
  });

  it('refuses a token whose page, position or scope was edited, even to well-formed values: 400 in the envelope', async () => {
    const token = (await list('?limit=10')).json.next_page_token as string;
    // The body is base64url JSON; a signature after it (43 characters, once there is one) is kept as it was.
    const signature = isJson(Buffer.from(token, 'base64url').toString()) ? '' : token.slice(-43);
    const decoded = Buffer.from(token.slice(0, token.length - signature.length), 'base64url').toString();
    const edit = (text: string) => Buffer.from(text).toString('base64url') + signature;
    for (const value of [
      edit(decoded.replace(/"p":\d+/, '"p":9007199254740991')),
      edit(decoded.replace(/"p":\d+/, '"p":3')),
      edit(decoded.replace(/"c":"[^"]+"/, '"c":"2000-01-01T00:00:00Z"')),
    ]) {
      const answer = await list(`?limit=10&page_token=${encodeURIComponent(value)}`);
      expect({ status: answer.status, field: answer.json.error?.details?.field }).toEqual({ status: 400, field: 'page_token' });
      expect(answer.json).toMatchObject({ success: false, error: { code: 'INVALID_FIELD_VALUE', type: 'client_error', status: 400 } });
    }
  });

  it("refuses another organization's token, and one from another query, even for a member of both", async () => {
    const theirs = (await list('?limit=10', OTHER_ORG)).json.next_page_token as string;
    const ours = (await list('?limit=10')).json.next_page_token as string;
    const cases = [
      list(`?limit=10&page_token=${theirs}`),
      list(`?limit=10&page_token=${ours}`, OTHER_ORG),
      list(`?limit=11&page_token=${ours}`),
      list(`?limit=10&status=uploaded&page_token=${ours}`),
    ];
    for (const answer of await Promise.all(cases)) {
      expect([answer.status, answer.json.error?.code, answer.json.error?.details?.field]).toEqual([
        400,
        'INVALID_FIELD_VALUE',
        'page_token',
      ]);
      expect(answer.json.error.message).toMatch(/another listing/);
    }
    // A token forged for an organization the caller does not belong to gets no further than access control.
    const { apiKey: outsider } = await seedMember(stack.db, 'org_paging_outsider', 'usr_outsider');
    expect((await list(`?limit=10&page_token=${theirs}`, OTHER_ORG, outsider)).status).toBe(403);
  });
});
