// The floor for upload-url on real backends: a functions-framework function
// that does only the work no implementation can skip, a Firestore `create` of
// the file's record and the start of a resumable session on the bucket,
// concurrently, with the official clients at their defaults, and answers the
// session URI. No auth, no validation, no quota, no log line.
// BENCH_FLOOR=session-then-record: the design's floor instead, as upload-url
// does it: the session first, then the record created holding its URI (the URI
// has to be durable before the answer), one write.
// FIRESTORE_EMULATOR_HOST and STORAGE_EMULATOR_HOST point it at the emulators.
import * as functions from '@google-cloud/functions-framework';
import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { randomBytes } from 'node:crypto';

const organizationId = process.env.BENCH_ORGANIZATION_ID ?? 'org_bench';
const bucketName = process.env.FILES_BUCKET;
if (!bucketName) throw new Error('FILES_BUCKET is required');
const sessionFirst = process.env.BENCH_FLOOR === 'session-then-record';
const firestore = new Firestore({ projectId: process.env.GOOGLE_CLOUD_PROJECT });
const bucket = new Storage({ projectId: process.env.GOOGLE_CLOUD_PROJECT }).bucket(bucketName);

functions.http('bareBackend', async (req, res) => {
  const body = req.body as { filename: string; file_size: number; mime_type: string };
  const fileId = `file_${randomBytes(12).toString('hex')}`;
  const objectName = `${organizationId}/${fileId}/${body.filename}`;
  const now = new Date().toISOString();
  try {
    const record = firestore.doc(`organizations/${organizationId}/files/${fileId}`);
    const fields = {
      id: fileId,
      organization_id: organizationId,
      original_filename: body.filename,
      file_size: body.file_size,
      mime_type: body.mime_type,
      storage_path: objectName,
      status: 'uploading',
      created_at: now,
    };
    const startSession = () =>
      bucket.file(objectName).createResumableUpload({
        metadata: { contentType: body.mime_type, contentLength: body.file_size },
        preconditionOpts: { ifGenerationMatch: 0 },
      });
    let uri: string;
    if (sessionFirst) {
      [uri] = await startSession();
      await record.create({ ...fields, session_uri: uri });
    } else {
      [, [uri]] = await Promise.all([record.create({ ...fields, session_uri: null }), startSession()]);
    }
    res.status(200).json({ upload_url: uri, file_id: fileId, gcs_path: `gs://${bucketName}/${objectName}` });
  } catch (error) {
    res.status(500).json({ error: String(error) });
  }
});
