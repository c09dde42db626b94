import { Transform, type TransformCallback } from 'node:stream';
import { badRequest } from './errors';

const LF = 0x0a;
const METADATA_LIMIT = 1 << 20;

type State = 'preamble' | 'afterDelimiter' | 'headers' | 'metadata' | 'media' | 'epilogue';

/** Reads a `multipart/related` upload body (uploadType=multipart): the first part is
 * the object resource as JSON, kept in `metadata`; the second part's bytes are the
 * stream's output, so the media part streams to disk whatever its size. Line breaks
 * are CRLF, or bare LF as gcloud and gsutil (Python's email package) write them: the
 * line that ends the first boundary decides which, for the whole body. */
export class MultipartRelated extends Transform {
  metadata: Record<string, unknown> | undefined;
  mediaType: string | undefined;
  private state: State = 'preamble';
  private parts = 0;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly dashBoundary: Buffer;
  private eol = Buffer.from('\r\n');
  private headersEnd = Buffer.from('\r\n\r\n');
  private delimiter: Buffer;

  constructor(boundary: string) {
    super();
    this.dashBoundary = Buffer.from(`--${boundary}`);
    this.delimiter = Buffer.concat([this.eol, this.dashBoundary]);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    try {
      this.parse();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.state === 'epilogue' ? null : badRequest('The multipart body ended before its closing boundary'));
  }

  private parse(): void {
    for (;;) {
      switch (this.state) {
        case 'preamble': {
          const at = this.buffered.indexOf(this.dashBoundary);
          if (at < 0) return this.hold(this.dashBoundary.length - 1);
          this.consume(at + this.dashBoundary.length, 'afterDelimiter');
          break;
        }
        case 'afterDelimiter': {
          if (this.buffered.length < 2) return;
          if (this.buffered.subarray(0, 2).toString() === '--') {
            if (this.parts < 2) throw badRequest('A multipart upload needs a metadata part and a media part');
            this.state = 'epilogue';
            break;
          }
          const end = this.buffered.indexOf(LF);
          if (end < 0) return this.hold(METADATA_LIMIT);
          if (this.parts === 0) this.useLineBreak(end > 0 && this.buffered[end - 1] === 0x0d ? '\r\n' : '\n');
          this.consume(end + 1, 'headers');
          break;
        }
        case 'headers': {
          if (this.buffered.length < this.eol.length) return;
          const bare = this.buffered.subarray(0, this.eol.length).equals(this.eol); // a part without headers
          const end = bare ? 0 : this.buffered.indexOf(this.headersEnd);
          if (end < 0) return this.hold(METADATA_LIMIT);
          const type = contentTypeOf(this.buffered.subarray(0, end).toString('latin1'));
          this.parts += 1;
          if (this.parts > 2) throw badRequest('A multipart upload has exactly two parts');
          if (this.parts === 2) this.mediaType = type;
          this.consume(bare ? this.eol.length : end + this.headersEnd.length, this.parts === 1 ? 'metadata' : 'media');
          break;
        }
        case 'metadata': {
          const end = this.buffered.indexOf(this.delimiter);
          if (end < 0) return this.hold(METADATA_LIMIT);
          this.metadata = parseMetadata(this.buffered.subarray(0, end));
          this.consume(end + this.delimiter.length, 'afterDelimiter');
          break;
        }
        case 'media': {
          const end = this.buffered.indexOf(this.delimiter);
          if (end < 0) {
            // Everything but a possible start of the delimiter is media.
            const safe = this.buffered.length - (this.delimiter.length - 1);
            if (safe > 0) {
              this.push(this.buffered.subarray(0, safe));
              this.buffered = this.buffered.subarray(safe);
            }
            return;
          }
          this.push(this.buffered.subarray(0, end));
          this.consume(end + this.delimiter.length, 'afterDelimiter');
          break;
        }
        case 'epilogue':
          this.buffered = Buffer.alloc(0);
          return;
      }
    }
  }

  private useLineBreak(eol: string): void {
    this.eol = Buffer.from(eol);
    this.headersEnd = Buffer.from(eol + eol);
    this.delimiter = Buffer.concat([this.eol, this.dashBoundary]);
  }

  private consume(bytes: number, next: State): void {
    this.buffered = this.buffered.subarray(bytes);
    this.state = next;
  }

  /** Waits for more input, refusing to hold more than `limit` bytes for it. */
  private hold(limit: number): void {
    if (this.state === 'preamble') {
      this.buffered = this.buffered.subarray(Math.max(0, this.buffered.length - limit));
    } else if (this.buffered.length > limit) {
      throw badRequest('The multipart metadata part is too large or malformed');
    }
  }
}

function contentTypeOf(headers: string): string | undefined {
  for (const line of headers.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'content-type') return line.slice(colon + 1).trim();
  }
  return undefined;
}

function parseMetadata(bytes: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8') || '{}');
  } catch {
    throw badRequest('The multipart metadata part is not valid JSON', 'parseError');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('The multipart metadata part must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** The boundary of a `multipart/related; boundary=…` Content-Type, if it is one: a
 * token, or quoted in double quotes or (as gcloud and gsutil send it) single quotes. */
export function relatedBoundary(contentType: string | undefined): string | undefined {
  const match = /^multipart\/related\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|'([^']+)'|([^;\s]+))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}
