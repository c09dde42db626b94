import { MemoryBackends } from '../../functions/adapters/in-memory';
import { BackgroundWork } from '../../functions/domain/background-work';
import type { FileRecords } from '../../functions/domain/ports';
import { UploadMarker } from '../../functions/endpoints/upload-file/upload-marker';

const upload = { organizationId: 'org_1', fileId: 'file_A', objectName: 'files/org_1/file_A/a.pdf', createdAt: '2026-01-01T00:00:00Z' };

async function* twoChunks() {
  yield Buffer.from('first');
  yield Buffer.from('last');
}

/** Records whose marker write waits for `release`. */
function heldMark(backends: MemoryBackends) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const records: FileRecords = Object.assign(Object.create(backends) as FileRecords, {
    markDirectUpload: async (...args: Parameters<FileRecords['markDirectUpload']>) => {
      await released;
      return backends.markDirectUpload(...args);
    },
  });
  return { records, release };
}

describe('UploadMarker', () => {
  it('ends the bytes only once the marker is written, so storage cannot make the object before it', async () => {
    const backends = new MemoryBackends();
    const { records, release } = heldMark(backends);
    const bytes = new UploadMarker(records, upload).before(twoChunks())[Symbol.asyncIterator]();
    expect((await bytes.next()).value).toEqual(Buffer.from('first'));
    expect((await bytes.next()).value).toEqual(Buffer.from('last'));
    let ended = false;
    const end = bytes.next().then((r) => (ended = r.done === true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(ended).toBe(false);
    expect(backends.markers.size).toBe(0);
    release();
    await end;
    expect(ended).toBe(true);
    expect([...backends.markers.values()]).toMatchObject([upload]);
  });

  it('fails the bytes when the marker cannot be written', async () => {
    const backends = new MemoryBackends();
    const refused = new Error('firestore down');
    backends.failures.set('markDirectUpload', refused);
    const chunks: Buffer[] = [];
    const read = async () => {
      for await (const chunk of new UploadMarker(backends, upload).before(twoChunks())) chunks.push(chunk);
    };
    await expect(read()).rejects.toBe(refused);
  });

  it('discards the object, then the marker; a removal that fails leaves the marker for the sweep', async () => {
    const backends = new MemoryBackends();
    const reported: string[] = [];
    const background = new BackgroundWork((what) => reported.push(what));
    backends.putObject(upload.objectName, Buffer.from('x'), 'application/pdf');
    const marker = new UploadMarker(backends, upload);
    backends.failures.set('remove', new Error('storage down'));
    await marker.discard(backends, background);
    expect([backends.objects.size, backends.markers.size, reported]).toEqual([1, 1, ['remove refused direct upload']]);
    backends.failures.delete('remove');
    await marker.discard(backends, background);
    expect([backends.objects.size, backends.markers.size]).toEqual([0, 0]);
  });
});
