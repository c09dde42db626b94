import { startStack, type Stack } from '../support/stack';
import { orgApi, type Json } from '../support/org-api';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(__filename);
});
afterAll(() => stack.close());

const api = (method: string, path: string, body?: unknown) => orgApi(stack, method, path, body);

const declared = { filename: 'contract.pdf', file_size: 12, mime_type: 'application/pdf' };

describe('purpose and metadata', () => {
  it('are taken by upload-url, kept through register, and on every File object', async () => {
    const labels = { purpose: 'contract', metadata: { customer_id: 'c_42', 'region.code': 'eu-1' } };
    const session = await api('POST', '/files/upload-url', { ...declared, ...labels });
    expect(session.status).toBe(200);
    const uploading = await api('GET', `/files/${session.json.file_id}`);
    expect(uploading.json).toMatchObject(labels);
    await fetch(session.json.upload_url, { method: 'PUT', body: Buffer.from('%PDF-1.7\nabc') });
    const mismatch = await api('POST', '/files', { ...declared, gcs_path: session.json.gcs_path, purpose: 'other' });
    expect([mismatch.status, mismatch.json.error.code, mismatch.json.error.details.field]).toEqual([
      422,
      'REGISTRATION_MISMATCH',
      'purpose',
    ]);
    const registered = await api('POST', '/files', { ...declared, gcs_path: session.json.gcs_path, ...labels });
    expect([registered.status, registered.json.purpose, registered.json.metadata]).toEqual([201, labels.purpose, labels.metadata]);
    const listed = await api('GET', '/files?status=uploaded');
    expect(listed.json.files.find((f: Json) => f.id === session.json.file_id)).toMatchObject(labels);
  });

  it('default to user_upload and no pairs, also for records written before they existed', async () => {
    const session = await api('POST', '/files/upload-url', declared);
    expect((await api('GET', `/files/${session.json.file_id}`)).json).toMatchObject({ purpose: 'user_upload', metadata: {} });
    const ref = stack.db.doc(`organizations/${stack.organizationId}/files/${session.json.file_id}`);
    const { purpose: _p, metadata: _m, ...legacy } = (await ref.get()).data() as Json;
    await ref.set(legacy);
    expect((await api('GET', `/files/${session.json.file_id}`)).json).toMatchObject({ purpose: 'user_upload', metadata: {} });
  });

  it.each([
    ['purpose', { purpose: 'Upper Case' }],
    ['purpose', { purpose: 'x'.repeat(65) }],
    ['metadata', { metadata: { 'bad key!': 'v' } }],
    ['metadata', { metadata: { k: 1 } }],
    ['metadata', { metadata: { k: 'v'.repeat(501) } }],
    ['metadata', { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }],
    ['metadata', { metadata: ['not', 'an', 'object'] }],
  ])('a %s that breaks its rule is a 400 naming it', async (field, labels) => {
    const answer = await api('POST', '/files/upload-url', { ...declared, ...labels });
    expect([answer.status, answer.json.error.code, answer.json.error.details.field]).toEqual([400, 'INVALID_FIELD_VALUE', field]);
  });
});
