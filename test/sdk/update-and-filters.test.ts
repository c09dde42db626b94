import { FilesApiError, FilesClient } from '@files-api/sdk';
import { seedMember, startStack, type Stack } from '../support/stack';

// The SDK's updateFile and the list filters, against the function and the emulators.
let stack: Stack;
let files: FilesClient;
const ORG = 'org_sdk_update';

beforeAll(async () => {
  stack = await startStack(__filename);
  const { apiKey } = await seedMember(stack.db, ORG, 'usr_sdk_updater');
  files = new FilesClient({ baseUrl: stack.api.url, apiKey, organizationId: ORG, retry: { retries: 0 } });
});
afterAll(() => stack.close());

const upload = (name: string, purpose?: string) =>
  files.uploadFile(new Blob(['some plain text'], { type: 'text/plain' }), { filename: name, purpose, metadata: { draft: 'yes' } });

it('renames a file and merges its metadata with updateFile, and throws the API error for a bad change', async () => {
  const file = await upload('draft notes.txt');
  const renamed = await files.updateFile(file.id, { filename: 'Final notes.txt', metadata: { draft: null, owner: 'ana' } });
  expect(renamed).toEqual({ ...file, original_filename: 'Final notes.txt', metadata: { owner: 'ana' } });
  expect(await files.getFile(file.id)).toEqual(renamed);
  const refused = await files.updateFile(file.id, { filename: 'a/b' }).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(FilesApiError);
  expect(refused).toMatchObject({ status: 400, code: 'INVALID_FIELD_VALUE' });
});

it('lists with search and purpose, across pages', async () => {
  const made = [await upload('Zeta 1.txt', 'invoice'), await upload('zeta 2.txt'), await upload('ZETA 3.txt', 'invoice')];
  await upload('other.txt', 'invoice');
  const pages = [];
  for await (const page of files.listFiles({ search: 'zeta', purpose: 'invoice', limit: 1 })) pages.push(page);
  expect(pages.map((p) => p.files.map((f) => f.id))).toEqual([[made[0].id], [made[2].id]]);
  expect(pages.map((p) => p.total)).toEqual([2, 2]);
});
