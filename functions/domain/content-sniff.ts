import { filetypeinfo } from 'magic-bytes.js';

/** How many leading bytes the signatures need. */
export const SNIFF_BYTES = 4100;

/**
 * The type the first bytes reveal, when it contradicts `declared`; undefined
 * when they agree or say nothing. Text types and application/octet-stream
 * claim nothing to contradict. The library names the ZIP-based formats it
 * knows (DOCX, ODT, JAR…) among a ZIP's candidates; any other `+zip` type is a
 * ZIP too. Within video/ and audio/ the containers overlap (MP4, QuickTime,
 * M4A), so the family is enough there.
 */
export function contradictingType(declared: string, head: Buffer): string | undefined {
  const essence = declared.split(';')[0].trim().toLowerCase();
  if (essence === 'application/octet-stream' || essence.startsWith('text/')) return undefined;
  const detected = [...new Set(filetypeinfo(head).flatMap((t) => (t.mime ? [t.mime.toLowerCase()] : [])))];
  if (detected.length === 0 || detected.includes(essence)) return undefined;
  const family = essence.split('/')[0];
  const agrees =
    (essence.endsWith('+zip') && detected.includes('application/zip')) ||
    ((family === 'video' || family === 'audio') && detected.some((d) => d.split('/')[0] === family));
  return agrees ? undefined : detected[0];
}
