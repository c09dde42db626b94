/**
 * Declared types whose files always begin with a signature this list can
 * check: a file declared as one of them must carry it (positive
 * identification), not merely fail to contradict it.
 */
const ascii = (head: Buffer, at: number, text: string) => head.subarray(at, at + text.length).toString('latin1') === text;
const bytes = (head: Buffer, at: number, values: number[]) => values.every((v, i) => head[at + i] === v);

// ISO base media (MP4, M4A, 3GP, HEIF, AVIF): a box whose type is `ftyp` first.
const ftyp = (h: Buffer) => ascii(h, 4, 'ftyp');
// Older QuickTime files may open with another top-level atom.
const quickTime = (h: Buffer) => ftyp(h) || ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].some((atom) => ascii(h, 4, atom));
// A local file header; an empty archive is only its end record; a spanned one has its marker first.
const zip = (h: Buffer) => bytes(h, 0, [0x50, 0x4b]) && [0x0304, 0x0506, 0x0708].includes(h.length >= 4 ? h.readUInt16BE(2) : 0);
const riff = (h: Buffer, form: string) => ascii(h, 0, 'RIFF') && ascii(h, 8, form);
const ebml = (h: Buffer) => bytes(h, 0, [0x1a, 0x45, 0xdf, 0xa3]);
const ole = (h: Buffer) => bytes(h, 0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
// PDF readers accept the header anywhere in the first 1024 bytes.
const pdf = (h: Buffer) => h.subarray(0, 1024).includes('%PDF-');

const BY_TYPE: Record<string, (head: Buffer) => boolean> = {
  'application/pdf': pdf,
  'image/png': (h) => bytes(h, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (h) => bytes(h, 0, [0xff, 0xd8, 0xff]),
  'image/gif': (h) => ascii(h, 0, 'GIF87a') || ascii(h, 0, 'GIF89a'),
  'image/webp': (h) => riff(h, 'WEBP'),
  'image/bmp': (h) => ascii(h, 0, 'BM'),
  'image/tiff': (h) => bytes(h, 0, [0x49, 0x49, 0x2a, 0x00]) || bytes(h, 0, [0x4d, 0x4d, 0x00, 0x2a]),
  'image/avif': ftyp,
  'image/heic': ftyp,
  'image/heif': ftyp,
  'video/mp4': ftyp,
  'audio/mp4': ftyp,
  'audio/x-m4a': ftyp,
  'video/3gpp': ftyp,
  'video/quicktime': quickTime,
  'video/webm': ebml,
  'audio/webm': ebml,
  'video/x-matroska': ebml,
  'audio/ogg': (h) => ascii(h, 0, 'OggS'),
  'video/ogg': (h) => ascii(h, 0, 'OggS'),
  'application/ogg': (h) => ascii(h, 0, 'OggS'),
  'audio/wav': (h) => riff(h, 'WAVE'),
  'audio/x-wav': (h) => riff(h, 'WAVE'),
  'audio/flac': (h) => ascii(h, 0, 'fLaC'),
  'audio/mpeg': (h) => ascii(h, 0, 'ID3') || (h[0] === 0xff && ((h[1] ?? 0) & 0xe0) === 0xe0),
  'application/zip': zip,
  'application/gzip': (h) => bytes(h, 0, [0x1f, 0x8b]),
  'application/x-7z-compressed': (h) => bytes(h, 0, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
  'application/vnd.rar': (h) => ascii(h, 0, 'Rar!\x1a\x07'),
  'application/msword': ole,
  'application/vnd.ms-excel': ole,
  'application/vnd.ms-powerpoint': ole,
};

/** Families of types that are ZIP archives inside: OOXML (docx, xlsx, pptx), OpenDocument, and any `+zip` type. */
const ZIP_FAMILIES = ['application/vnd.openxmlformats-officedocument.', 'application/vnd.oasis.opendocument.'];

/** How to recognise files of `essence` (a type without parameters), if this list knows it. */
export function signatureOf(essence: string): ((head: Buffer) => boolean) | undefined {
  if (BY_TYPE[essence]) return BY_TYPE[essence];
  if (essence.endsWith('+zip') || ZIP_FAMILIES.some((family) => essence.startsWith(family))) return zip;
  return undefined;
}
