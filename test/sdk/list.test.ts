import { FilesClient, type FileList } from '@files-api/sdk';
import { seedUploadedFiles } from '../../bench/lib/seed-file-records';
import { seedMember, startStack, type Stack } from '../support/stack';

// The SDK walks a listing by page_token, and by page number only from a server that answers no token.
let stack: Stack;
let client: (fetch?: typeof globalThis.fetch) => FilesClient;
let newestFirst: string[];
const ORG = 'org_sdk_list';

beforeAll(async () => {
  stack = await startStack(__filename);
  const { apiKey } = await seedMember(stack.db, ORG, 'usr_sdk_lister');
  newestFirst = (await seedUploadedFiles(stack.db, ORG, 23)).map((r) => r.id);
  client = (fetch) => new FilesClient({ baseUrl: stack.api.url, apiKey, organizationId: ORG, fetch });
});
afterAll(() => stack.close());

/** A fetch that records each request's query, and may rewrite the API's answers. */
function watchedFetch(rewrite: (answer: FileList) => FileList = (a) => a) {
  const queries: URLSearchParams[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    queries.push(url.searchParams);
    const response = await globalThis.fetch(input, init);
    if (!response.ok) return response;
    return Response.json(rewrite((await response.json()) as FileList), { status: response.status, headers: response.headers });
  };
  return { fetch, queries };
}

const walk = async (pages: AsyncGenerator<FileList>) => {
  const all: FileList[] = [];
  for await (const page of pages) all.push(page);
  return all;
};

it('walks every page by next_page_token after the first, with the same filters', async () => {
  const { fetch, queries } = watchedFetch();
  const pages = await walk(client(fetch).listFiles({ limit: 10, status: 'uploaded' }));
  expect(pages.flatMap((p) => p.files.map((f) => f.id))).toEqual(newestFirst);
  expect(pages.map((p) => p.page)).toEqual([1, 2, 3]);
  expect(queries.map((q) => [q.get('page'), q.has('page_token'), q.get('limit'), q.get('status')])).toEqual([
    ['1', false, '10', 'uploaded'],
    [null, true, '10', 'uploaded'],
    [null, true, '10', 'uploaded'],
  ]);
  expect(queries[1].get('page_token')).toBe(pages[0].next_page_token);
});

it('starts at a page number and goes on by token', async () => {
  const pages = await walk(client().listFiles({ limit: 10, page: 2 }));
  expect(pages.flatMap((p) => p.files.map((f) => f.id))).toEqual(newestFirst.slice(10));
});

it('goes on by page number when the server answers no token', async () => {
  const { fetch, queries } = watchedFetch(({ next_page_token: _dropped, ...rest }) => rest);
  const pages = await walk(client(fetch).listFiles({ limit: 10 }));
  expect(pages.flatMap((p) => p.files.map((f) => f.id))).toEqual(newestFirst);
  expect(queries.map((q) => [q.get('page'), q.has('page_token')])).toEqual([
    ['1', false],
    ['2', false],
    ['3', false],
  ]);
});
