import type { Call } from './http-client';

/** A valid POST …/files/upload-url for `organizationId`, as a client sends it. */
export function uploadUrlCall(baseUrl: string, organizationId: string, apiKey: string, headers: Record<string, string> = {}): Call {
  return {
    url: new URL(`/v1/organizations/${organizationId}/files/upload-url`, baseUrl),
    headers: { 'X-API-Key': apiKey, ...headers },
    body: JSON.stringify({ filename: 'bench-video.mp4', file_size: 524288000, mime_type: 'video/mp4' }),
  };
}
