import { startStack, type Stack } from '../support/stack';

// bytes_received of an uploading file: a status query of its session on the storage emulator, through the function.
let stack: Stack;
let cached: Stack;
beforeAll(async () => {
  // No cache: each read asks storage, so each step below is seen at once.
  stack = await startStack(__filename, { UPLOAD_PROGRESS_CACHE_SECONDS: '0' });
  cached = await startStack(__filename, { UPLOAD_PROGRESS_CACHE_SECONDS: '60' });
});
afterAll(async () => {
  await stack.close();
  await cached.close();
});

type Json = Record<string, any>;
async function api(method: string, path: string, body?: unknown, via = stack): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${via.api.url}/v1/organizations/${via.organizationId}${path}`, {
    method,
    headers: { 'X-API-Key': via.apiKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Json };
}

const CHUNK = 256 * 1024;
const SIZE = 4 * CHUNK;

async function startUpload(filename: string) {
  const session = await api('POST', '/files/upload-url', { filename, file_size: SIZE, mime_type: 'application/octet-stream' });
  expect(session.status).toBe(200);
  return session.json as { file_id: string; upload_url: string; gcs_path: string };
}

/** One chunk of the resumable protocol: bytes first..first+CHUNK-1 of SIZE. */
async function sendChunk(uploadUrl: string, first: number): Promise<number> {
  const last = first + CHUNK - 1;
  const response = await fetch(uploadUrl, {
    method: 'PUT',
    headers: { 'Content-Range': `bytes ${first}-${last}/${SIZE}` },
    body: Buffer.alloc(CHUNK, 7),
  });
  await response.arrayBuffer();
  return response.status;
}

const listedFile = async (fileId: string, query = '') =>
  (await api('GET', `/files?limit=100${query}`)).json.files.find((f: Json) => f.id === fileId) as Json;

describe('bytes_received', () => {
  it('follows a resumable upload chunk by chunk on get and on list, and is gone once it is uploaded', async () => {
    const session = await startUpload('progress.bin');
    const path = `/files/${session.file_id}`;
    expect((await api('GET', path)).json.bytes_received).toBe(0);
    expect(await sendChunk(session.upload_url, 0)).toBe(308);
    expect((await api('GET', path)).json.bytes_received).toBe(CHUNK);
    expect(await sendChunk(session.upload_url, CHUNK)).toBe(308);
    expect((await api('GET', path)).json.bytes_received).toBe(2 * CHUNK);
    expect((await listedFile(session.file_id)).bytes_received).toBe(2 * CHUNK);
    expect((await listedFile(session.file_id, '&status=uploading')).bytes_received).toBe(2 * CHUNK);
    expect(await sendChunk(session.upload_url, 2 * CHUNK)).toBe(308);
    expect(await sendChunk(session.upload_url, 3 * CHUNK)).toBe(200);
    // The object is whole, the record not yet registered: all of it is received.
    expect((await api('GET', path)).json).toMatchObject({ status: 'uploading', bytes_received: SIZE });
    const registered = await api('POST', '/files', {
      filename: 'progress.bin',
      gcs_path: session.gcs_path,
      file_size: SIZE,
      mime_type: 'application/octet-stream',
    });
    expect(registered.status).toBe(201);
    expect(registered.json).not.toHaveProperty('bytes_received');
    expect((await api('GET', path)).json).not.toHaveProperty('bytes_received');
    expect(await listedFile(session.file_id)).not.toHaveProperty('bytes_received');
  });

  it('is absent on a cancelled upload, and never carries the session URI along', async () => {
    const session = await startUpload('cancelled.bin');
    expect(await sendChunk(session.upload_url, 0)).toBe(308);
    const uploading = await api('GET', `/files/${session.file_id}`);
    expect(uploading.json.bytes_received).toBe(CHUNK);
    const uploadId = new URL(session.upload_url).searchParams.get('upload_id') as string;
    expect(JSON.stringify(uploading.json)).not.toContain(uploadId);
    expect(JSON.stringify((await api('GET', '/files?limit=100')).json)).not.toContain(uploadId);
    expect((await api('DELETE', `/files/${session.file_id}`)).status).toBe(204);
    expect((await api('GET', `/files/${session.file_id}`)).json).not.toHaveProperty('bytes_received');
  });

  it('is reused for the cache period, so polling asks storage once per file and period', async () => {
    const session = await startUpload('polled.bin');
    const path = `/files/${session.file_id}`;
    expect((await api('GET', path, undefined, cached)).json.bytes_received).toBe(0);
    expect(await sendChunk(session.upload_url, 0)).toBe(308);
    // Within the (60 s) period the instance answers what it last heard; an uncached one sees the chunk.
    expect((await api('GET', path, undefined, cached)).json.bytes_received).toBe(0);
    expect((await api('GET', path)).json.bytes_received).toBe(CHUNK);
  });
});
