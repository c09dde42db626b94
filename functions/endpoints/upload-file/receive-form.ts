import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { ApiError } from '../../errors/api-error';
import { parseContentType } from '../../http/json-body';
import { declaredFileType, HEADERS_SCAN_BYTES } from './declared-type';
import { directUploadTooLarge, invalidMultipart } from './upload-errors';

/** The one `file` part, as it arrives. */
export interface FilePart {
  filename: string;
  /** type/subtype as the part declared it; '' when it declared none */
  mimeType: string;
  bytes: Readable;
}

// A form has one file and a few short text fields; anything more is refused, not buffered. A field's size is
// counted in bytes: 64 KiB holds any metadata the rules allow (16 pairs of 500 characters, each escaped in JSON).
export const FIELD_MAX_BYTES = 64 * 1024;
const LIMITS = { fields: 8, fieldSize: FIELD_MAX_BYTES, parts: 10, fieldNameSize: 100 };

/**
 * Reads a multipart/form-data body as it arrives. `storeFile` receives the
 * `file` part and consumes its bytes; the text fields are collected. Refused,
 * with every stream stopped, on: a body over `maxBytes` (counted as it comes),
 * a second file, a file under another name, a field too long or repeated, a
 * malformed or cut-short body, a client gone, and whatever `checkFields`
 * throws for the fields so far (so a form refused by a field that comes
 * before its file stores none of it). Settles only once what `storeFile`
 * started has settled, so the caller can remove what it made.
 */
export function receiveForm<T>(
  req: IncomingMessage,
  maxBytes: number,
  storeFile: (part: FilePart) => Promise<T>,
  checkFields: (fields: Record<string, string>) => void,
): Promise<{ stored: T; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // preservePath: the filename as sent, so a name with a path is refused by upload-url's rules, not cut to its end.
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', preservePath: true, limits: LIMITS });
    } catch {
      return reject(invalidMultipart('Content-Type must be multipart/form-data with a boundary'));
    }
    const fields: Record<string, string> = {};
    let stored: Promise<T> | undefined;
    let fileBytes: Readable | undefined;
    let received = 0;
    let settled = false;
    // The body's start, kept until the file part begins, to read what type it declared (declared-type.ts).
    const start: Buffer[] = [];

    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.off('data', count);
      req.unpipe(parser);
      fileBytes?.destroy(error instanceof Error ? error : new Error(String(error)));
      parser.destroy();
      void Promise.allSettled([stored]).then(() => reject(error));
    };
    const count = (chunk: Buffer) => {
      if (!fileBytes && received < HEADERS_SCAN_BYTES) start.push(chunk);
      received += chunk.length;
      if (received > maxBytes) fail(directUploadTooLarge(maxBytes));
    };

    parser.on('file', (name, bytes, info) => {
      // Stopping the parser ends each open part with an error: the reader of the file sees it, a skipped part has none.
      bytes.on('error', () => undefined);
      // A form already refused stores nothing: busboy may still emit the parts of the chunk it was reading.
      if (settled) return bytes.resume();
      if (name !== 'file') {
        bytes.resume();
        return fail(new ApiError(400, 'UNKNOWN_FIELD', `Unknown field: ${name} (the file goes in the part named file)`, { field: name }));
      }
      if (stored) {
        bytes.resume();
        return fail(new ApiError(400, 'INVALID_FIELD_VALUE', 'Send exactly one file part', { field: 'file' }));
      }
      const type = info.mimeType === 'text/plain' ? plainOrNone(Buffer.concat(start), req.headers['content-type']) : info.mimeType;
      start.length = 0;
      if (typeof type !== 'string') {
        bytes.resume();
        return fail(
          new ApiError(400, 'INVALID_FIELD_VALUE', `The file part's Content-Type is malformed: ${type.malformed.slice(0, 100)}`, {
            field: 'file',
          }),
        );
      }
      fileBytes = bytes;
      stored = storeFile({ filename: info.filename ?? '', mimeType: type, bytes });
      stored.catch(fail);
    });
    parser.on('field', (name, value, info) => {
      if (settled) return;
      if (name === 'file')
        return fail(new ApiError(400, 'INVALID_FIELD_VALUE', 'file must be a file part (with a filename)', { field: 'file' }));
      if (info.valueTruncated) return fail(new ApiError(400, 'INVALID_FIELD_VALUE', `${name} is too long`, { field: name }));
      if (name in fields) return fail(new ApiError(400, 'INVALID_FIELD_VALUE', `${name} was sent twice`, { field: name }));
      fields[name] = value;
      try {
        checkFields(fields);
      } catch (error) {
        fail(error);
      }
    });
    parser.on('partsLimit', () => fail(invalidMultipart('The form has too many parts')));
    parser.on('fieldsLimit', () => fail(invalidMultipart('The form has too many fields')));
    parser.on('error', () => fail(invalidMultipart('The form is malformed or was cut short')));
    parser.on('close', () => {
      if (settled) return;
      if (!stored) return fail(new ApiError(400, 'MISSING_REQUIRED_FIELD', 'file is required (a part named file)', { field: 'file' }));
      stored.then((value) => {
        if (settled) return;
        settled = true;
        resolve({ stored: value, fields });
      }, fail);
    });
    // Gone before the whole body came: whatever was being stored is stopped.
    const cutShort = () => fail(invalidMultipart('The request body was not received completely'));
    req.on('error', cutShort);
    req.on('close', () => {
      if (!req.complete) cutShort();
    });
    req.on('data', count);
    req.pipe(parser);
  });
}

/**
 * busboy reads a missing Content-Type, and one it cannot parse, as text/plain (RFC 7578's default): the file part's
 * own header tells text/plain from none ('', left to the name to say) and from a malformed one.
 */
function plainOrNone(start: Buffer, requestContentType: string | undefined): string | { malformed: string } {
  const declared = declaredFileType(start, requestContentType);
  if (declared === undefined) return '';
  return parseContentType(declared)?.essence === 'text/plain' ? 'text/plain' : { malformed: declared };
}
