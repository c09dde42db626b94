import { filetypeinfo } from 'magic-bytes.js';
import { executableType } from './executable-signature';
import { signatureOf } from './known-signatures';
import { decodesAsText, isTextType } from './text-content';

/** How many leading bytes the signatures need. */
export const SNIFF_BYTES = 4100;

/**
 * What a file's first bytes are instead of the declared type, or undefined
 * when they pass (docs/CONTENT-CHECK.md):
 * - an executable is refused whatever the declared type;
 * - a declared type with a known signature (known-signatures.ts) must carry it;
 * - a declared text type must decode as text in its charset;
 * - any other type must not be contradicted by what the bytes reveal.
 * `whole` says whether `head` is the whole file. The answer names the type the
 * bytes are, or application/octet-stream when they are of no known type.
 */
export function contentMismatch(declared: string, head: Buffer, whole: boolean): string | undefined {
  const executable = executableType(head);
  if (executable) return executable;
  const [essence, ...params] = declared.split(';').map((part) => part.trim());
  const type = essence.toLowerCase();
  if (isTextType(type)) return decodesAsText(head, charsetOf(params), whole) ? undefined : whatItIs(head);
  const signature = signatureOf(type);
  if (signature) return signature(head) ? undefined : whatItIs(head);
  if (type === 'application/octet-stream') return undefined;
  return contradictingType(type, head);
}

/**
 * For a type the signatures do not know: the type the bytes reveal when it
 * contradicts it. The library names the ZIP-based formats it knows (DOCX,
 * ODT, JAR…) among a ZIP's candidates; any other `+zip` type is a ZIP too.
 * Within video/ and audio/ the containers overlap (MP4, QuickTime, M4A), so
 * the family is enough there.
 */
function contradictingType(essence: string, head: Buffer): string | undefined {
  const detected = detectedTypes(head);
  if (detected.length === 0 || detected.includes(essence)) return undefined;
  const family = essence.split('/')[0];
  const agrees =
    (essence.endsWith('+zip') && detected.includes('application/zip')) ||
    ((family === 'video' || family === 'audio') && detected.some((d) => d.split('/')[0] === family));
  return agrees ? undefined : detected[0];
}

/** The binary type the bytes reveal, or application/octet-stream: the `actual` of a refusal. */
const whatItIs = (head: Buffer) => detectedTypes(head).find((type) => !isTextType(type)) ?? 'application/octet-stream';

const detectedTypes = (head: Buffer) => [...new Set(filetypeinfo(head).flatMap((t) => (t.mime ? [t.mime.toLowerCase()] : [])))];

function charsetOf(params: string[]): string | undefined {
  const charset = params.find((p) => p.toLowerCase().startsWith('charset='));
  return charset?.slice('charset='.length).replace(/^"|"$/g, '');
}
