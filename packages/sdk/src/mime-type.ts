import { MIME_BY_EXTENSION } from './generated/mime-by-extension.js';

/** The type a file's extension says (the repository's schemas/mime-by-extension.json); the rest are octet-stream. */
export function mimeTypeFor(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return (dot > 0 && MIME_BY_EXTENSION[filename.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
