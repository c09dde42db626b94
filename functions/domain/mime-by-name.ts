import { MIME_BY_EXTENSION } from '../generated/mime-by-extension';

/**
 * The type a file's extension says, for a direct upload whose part carries none
 * or a generic one. The table is schemas/mime-by-extension.json, which the SDK
 * reads too, so a file gets the same type either way.
 */
export function mimeTypeFor(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return (dot > 0 && MIME_BY_EXTENSION[filename.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
