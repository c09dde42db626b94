import type { Bucket } from '@google-cloud/storage';
import type { DownloadRequest, DownloadSigner } from '../domain/ports';
import { withDeadline } from './deadline';

/**
 * V4 signed read URLs for one bucket. With a private key in the credentials
 * (a key file, the local stack's) the client signs locally; on Google Cloud it
 * has none and asks IAM's signBlob to sign as the function's own service
 * account, which needs roles/iam.serviceAccountTokenCreator on itself.
 */
export class GcsDownloadSigner implements DownloadSigner {
  constructor(
    private readonly bucket: Bucket,
    private readonly timeoutMs: number,
  ) {}

  signDownloadUrl(request: DownloadRequest): Promise<string> {
    return withDeadline('storage', this.timeoutMs, async () => {
      const [url] = await this.bucket.file(request.objectName).getSignedUrl({
        version: 'v4',
        action: 'read',
        accessibleAt: request.accessibleAt,
        expires: request.expiresAt,
        responseDisposition: request.responseDisposition,
      });
      return url;
    });
  }
}
