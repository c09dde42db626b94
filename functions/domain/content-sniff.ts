import { filetypeinfo } from 'magic-bytes.js';

/** How many leading bytes the signatures need. */
export const SNIFF_BYTES = 4100;

// Containers whose signature says little of the declared type within them
// (office documents, EPUB and JAR are ZIPs; old Office files are CFB).
const CONTAINERS = new Set(['application/zip', 'application/x-cfb', 'application/x-ole-storage']);

/**
 * The type the first bytes reveal, when it contradicts `declared`; undefined
 * when they agree or say nothing. Text types and application/octet-stream
 * claim nothing to contradict. Within video/ and audio/ the container formats
 * overlap (MP4, QuickTime, M4A), so the family is enough there.
 */
export function contradictingType(declared: string, head: Buffer): string | undefined {
  const essence = declared.split(';')[0].trim().toLowerCase();
  if (essence === 'application/octet-stream' || essence.startsWith('text/')) return undefined;
  const detected = [...new Set(filetypeinfo(head).flatMap((t) => (t.mime ? [t.mime.toLowerCase()] : [])))];
  if (detected.length === 0 || detected.includes(essence)) return undefined;
  const family = essence.split('/')[0];
  const agrees = detected.some(
    (d) => (CONTAINERS.has(d) && family === 'application') || ((family === 'video' || family === 'audio') && d.split('/')[0] === family),
  );
  return agrees ? undefined : detected[0];
}
