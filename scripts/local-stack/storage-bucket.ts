import { Storage } from '@google-cloud/storage';

/** Creates the uploads bucket in the storage emulator; one that exists already (409) is fine. */
export async function ensureBucket(storageUrl: string, projectId: string, bucket: string): Promise<'created' | 'existed'> {
  const storage = new Storage({ apiEndpoint: storageUrl, projectId });
  try {
    await storage.createBucket(bucket);
    return 'created';
  } catch (err) {
    if ((err as { code?: unknown }).code === 409) return 'existed';
    throw err;
  }
}
