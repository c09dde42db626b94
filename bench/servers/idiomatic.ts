// The function a team would write for POST …/files/upload-url with the official
// clients and nothing of this project: the clients built at load, as their
// quick starts show, run from tsc's output (unbundled), the key and the
// membership read, the resumable session started, the record created. The
// cold-start benchmark's yardstick for what the files function's start costs
// beyond the work itself (bench/cold-start.ts, --target=idiomatic).
// FILES_BUCKET names the bucket; FIRESTORE_EMULATOR_HOST and
// STORAGE_EMULATOR_HOST point the clients at the emulators.
import { createHash, randomUUID } from 'node:crypto';
import * as functions from '@google-cloud/functions-framework';
import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';

const bucket = process.env.FILES_BUCKET;
if (!bucket) throw new Error('FILES_BUCKET is required');
const db = new Firestore();
const storage = new Storage();

const ROUTE = /^\/v1\/organizations\/([^/]+)\/files\/upload-url$/;
const WEEK_MS = 7 * 24 * 3600_000;

functions.http('idiomatic', async (req, res) => {
  const organizationId = ROUTE.exec(req.path)?.[1];
  if (req.method !== 'POST' || !organizationId) {
    res.status(404).json({ error: { code: 'NOT_FOUND' } });
    return;
  }
  try {
    const hash = createHash('sha256')
      .update(String(req.get('x-api-key')))
      .digest('hex');
    const key = await db.doc(`api_keys/${hash}`).get();
    if (!key.exists || key.get('status') !== 'active') {
      res.status(401).json({ error: { code: 'INVALID_API_KEY' } });
      return;
    }
    const member = await db.doc(`organizations/${organizationId}/members/${key.get('principal_id')}`).get();
    if (!member.exists) {
      res.status(403).json({ error: { code: 'ORGANIZATION_ACCESS_DENIED' } });
      return;
    }
    const { filename, file_size, mime_type } = req.body as { filename: string; file_size: number; mime_type: string };
    const fileId = `file_${randomUUID()}`;
    const path = `${organizationId}/${fileId}/${filename}`;
    const [uploadUrl] = await storage
      .bucket(bucket)
      .file(path)
      .createResumableUpload({
        metadata: { contentType: mime_type, contentLength: file_size },
        preconditionOpts: { ifGenerationMatch: 0 },
      });
    const now = new Date();
    const expiresAt = new Date(now.getTime() + WEEK_MS).toISOString();
    await db.doc(`organizations/${organizationId}/files/${fileId}`).create({
      id: fileId,
      organization_id: organizationId,
      original_filename: filename,
      file_size,
      mime_type,
      storage_path: path,
      status: 'uploading',
      uploaded_by: key.get('principal_id'),
      created_at: now.toISOString(),
      expires_at: expiresAt,
      session_uri: uploadUrl,
    });
    res.status(200).json({ upload_url: uploadUrl, gcs_path: path, file_id: fileId, expires_at: expiresAt, upload_type: 'resumable' });
  } catch (error) {
    console.error(error);
    res.status(503).json({ error: { code: 'BACKEND_UNAVAILABLE' } });
  }
});
