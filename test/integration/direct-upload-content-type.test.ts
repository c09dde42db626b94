import { randomBytes } from 'node:crypto';
import { BOUNDARY, multipartBody, rawPost, type Part, type RawAnswer } from '../support/multipart';
import { seedMember, startStack, type Stack } from '../support/stack';

// The file part's own Content-Type: busboy reads one it cannot parse as no
// type (text/plain), so a malformed one would pass as text; it is refused.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack(__filename, { DIRECT_UPLOAD_MAX_BYTES: String(256 * 1024) });
});
afterAll(() => stack.close());

const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]);

let orgs = 0;
async function freshOrg() {
  const organizationId = `org_direct_type_${++orgs}`;
  const { apiKey } = await seedMember(stack.db, organizationId, `usr_direct_type_${orgs}`);
  return { organizationId, apiKey, url: `${stack.api.url}/v1/organizations/${organizationId}/files/upload` };
}

function post(url: string, apiKey: string, parts: Part[]): Promise<RawAnswer> {
  const body = multipartBody(parts);
  const headers = {
    'X-API-Key': apiKey,
    'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
    'Content-Length': String(body.length),
  };
  return rawPost(url, headers, (write, end) => {
    write(body);
    end();
  }) as Promise<RawAnswer>;
}

async function leftBehind(organizationId: string) {
  const [objects] = await stack.storage.bucket(stack.bucket).getFiles({ prefix: `files/${organizationId}/` });
  const records = await stack.db.collection(`organizations/${organizationId}/files`).get();
  return { objects: objects.map((o) => o.name), records: records.docs.map((d) => d.id) };
}

describe('POST …/files/upload: the file part’s Content-Type', () => {
  it.each([';;;', 'text/', '/pdf', 'application/pdf;;charset', 'not a type'])(
    'refuses a malformed one (%j) 400 naming the part, and leaves nothing',
    async (type) => {
      const { organizationId, apiKey, url } = await freshOrg();
      const answer = await post(url, apiKey, [
        { name: 'purpose', value: 'invoice' },
        { name: 'file', filename: 'report.pdf', type, value: pdf() },
      ]);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'INVALID_FIELD_VALUE', details: { field: 'file' } });
      expect(answer.body.error?.message).toContain('Content-Type is malformed');
      expect(await leftBehind(organizationId)).toEqual({ objects: [], records: [] });
    },
  );

  it('takes text/plain said outright, in any case and with a charset, as text', async () => {
    const { apiKey, url } = await freshOrg();
    const answer = await post(url, apiKey, [
      { name: 'file', filename: 'notes.txt', type: 'Text/Plain; charset=utf-8', value: 'plain words\n' },
    ]);
    expect([answer.status, answer.body.mime_type]).toEqual([201, 'text/plain']);
  });

  it('still guesses a type the part did not declare from the filename', async () => {
    const { apiKey, url } = await freshOrg();
    const answer = await post(url, apiKey, [{ name: 'file', filename: 'report.pdf', value: pdf() }]);
    expect([answer.status, answer.body.mime_type]).toEqual([201, 'application/pdf']);
  });
});
