/**
 * The type a file's extension says, for a direct upload whose part carries none
 * or a generic one. The same table as the SDK's (packages/sdk/src/mime-type.ts;
 * a unit test keeps them equal), so a file gets the same type either way.
 */
const BY_EXTENSION: Record<string, string> = {
  avi: 'video/x-msvideo',
  bin: 'application/octet-stream',
  csv: 'text/csv',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  gif: 'image/gif',
  gz: 'application/gzip',
  htm: 'text/html',
  html: 'text/html',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  json: 'application/json',
  m4a: 'audio/mp4',
  mkv: 'video/x-matroska',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  pdf: 'application/pdf',
  png: 'image/png',
  svg: 'image/svg+xml',
  tar: 'application/x-tar',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  txt: 'text/plain',
  wav: 'audio/wav',
  webm: 'video/webm',
  webp: 'image/webp',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xml: 'application/xml',
  zip: 'application/zip',
  '7z': 'application/x-7z-compressed',
};

export function mimeTypeFor(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return (dot > 0 && BY_EXTENSION[filename.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
