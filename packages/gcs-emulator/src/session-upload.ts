import { constants } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { AlignedHasher, UPLOAD_QUANTUM } from './aligned-hasher';
import { checksumMismatch, parseGoogHash } from './checksums';
import { parseContentRange, type ContentRange } from './content-range';
import type { EmulatorState } from './emulator-state';
import { badRequest, GcsError } from './errors';
import { contentLength } from './http-io';
import { PartFileSink } from './part-file-sink';
import { receiveBody, type BodyOutcome } from './receive-body';
import type { Session } from './session-store';
import type { ObjectMetadata } from './object-metadata';

/** What a PUT on a session URI leads to: 308 with the persisted range, 200 with the
 * object, or nothing to answer (the client went away). Refusals are thrown GcsErrors. */
export type SessionAnswer = { kind: 'incomplete'; persisted: number } | { kind: 'complete'; object: ObjectMetadata } | { kind: 'gone' };

/** The request as the protocol reads it. `first`/`last`/`total` as in Content-Range;
 * `endsWithBody`: the body's end is the object's end (no Content-Range, or `a-*\/*`). */
interface Chunk {
  first: number;
  last: number | undefined;
  total: number | undefined;
  endsWithBody: boolean;
}

/** PUT (or POST) on a session URI: a status query or bytes (GCS-RESUMABLE.md §2). */
export async function putOnSession(state: EmulatorState, session: Session, req: IncomingMessage, base: string): Promise<SessionAnswer> {
  if (session.record.finalized) return { kind: 'complete', object: session.record.finalized };
  const header = req.headers['content-range'];
  const range: ContentRange | undefined = header === undefined ? undefined : parseContentRange(header);
  const length = contentLength(req);
  if (range?.kind === 'query') {
    if (length !== undefined && length > 0) throw badRequest('A status query (Content-Range: bytes */…) carries no body');
    return queryStatus(state, session, range.total, base);
  }
  const chunk: Chunk = range
    ? { first: range.first, last: range.last, total: range.total, endsWithBody: range.last === undefined && range.total === undefined }
    : { first: 0, last: undefined, total: length, endsWithBody: length === undefined };
  checkChunk(session, chunk, length);
  // The newest request wins: a client resuming has given up on any older one.
  session.writer?.destroy();
  return state.sessions.exclusive(session, async () => {
    if (session.record.finalized) return { kind: 'complete', object: session.record.finalized };
    checkChunk(session, chunk, length);
    await declareTotal(state, session, chunk.total);
    session.writer = req;
    const file = await open(session.partPath, constants.O_RDWR | constants.O_CREAT);
    try {
      return await append(state, session, req, chunk, file, base);
    } finally {
      session.writer = undefined;
      await file.close();
    }
  });
}

async function queryStatus(state: EmulatorState, session: Session, total: number | undefined, base: string): Promise<SessionAnswer> {
  checkTotal(session, total);
  if (total === undefined || total !== session.persisted) {
    await declareTotal(state, session, total);
    return { kind: 'incomplete', persisted: session.persisted };
  }
  // `bytes */N` with N persisted completes an upload whose size was unknown until now.
  return state.sessions.exclusive(session, async () => {
    if (session.record.finalized) return { kind: 'complete', object: session.record.finalized };
    checkTotal(session, total);
    if (total !== session.persisted) return { kind: 'incomplete', persisted: session.persisted };
    await declareTotal(state, session, total);
    return { kind: 'complete', object: await finalize(state, session, undefined, base) };
  });
}

/** Refusals that need no bytes: totals that contradict the session, ranges past its
 * size or leaving a gap after the persisted bytes, a Content-Length that is not the range's. */
function checkChunk(session: Session, chunk: Chunk, length: number | undefined): void {
  checkTotal(session, chunk.total);
  const total = session.total ?? chunk.total;
  if (chunk.first > session.persisted) {
    throw badRequest(
      `Invalid request. According to the Content-Range header, the upload offset is ${chunk.first} byte(s), which exceeds already uploaded size of ${session.persisted} byte(s).`,
    );
  }
  if (chunk.last !== undefined && total !== undefined && chunk.last >= total) {
    throw badRequest(`The chunk ends at byte ${chunk.last}, past the object's size of ${total} bytes`);
  }
  if (chunk.last !== undefined && length !== undefined && length !== chunk.last - chunk.first + 1) {
    throw badRequest(`Content-Length ${length} does not match the ${chunk.last - chunk.first + 1} bytes of the Content-Range`);
  }
  if (chunk.last === undefined && length !== undefined && total !== undefined && chunk.first + length > total) {
    throw badRequest(`The body of ${length} bytes runs past the object's size of ${total} bytes`);
  }
  // Cloud Storage refuses a non-final chunk under 256 KiB outright (and keeps only whole
  // 256 KiB units of a larger one, which its 308 Range then says).
  const size = chunk.last === undefined ? undefined : chunk.last - chunk.first + 1;
  const final = chunk.last !== undefined && total !== undefined && chunk.last === total - 1;
  if (size !== undefined && size < UPLOAD_QUANTUM && !final) {
    throw badRequest(
      `Invalid request. The number of bytes uploaded is required to be equal or greater than ${UPLOAD_QUANTUM}, except for the final request (it's recommended to be the exact multiple of ${UPLOAD_QUANTUM}). The received request contained ${size} bytes, which does not meet this requirement.`,
    );
  }
}

function checkTotal(session: Session, total: number | undefined): void {
  if (total === undefined) return;
  const { pinnedSize, declaredTotal } = session.record;
  if (pinnedSize !== undefined && total !== pinnedSize) {
    throw badRequest(`The total size ${total} contradicts the X-Upload-Content-Length of ${pinnedSize} this upload started with`);
  }
  if (declaredTotal !== undefined && total !== declaredTotal) {
    throw badRequest(`The total size ${total} contradicts the total of ${declaredTotal} stated earlier`);
  }
  if (total < session.persisted) {
    throw badRequest(`The total size ${total} is smaller than the ${session.persisted} bytes already uploaded`);
  }
}

async function declareTotal(state: EmulatorState, session: Session, total: number | undefined): Promise<void> {
  if (total === undefined || session.total !== undefined) return;
  session.record.declaredTotal = total;
  await state.sessions.save(session);
}

/** Streams the body into the part file. A complete body that reaches the object's end
 * finalizes it; anything else keeps the whole 256 KiB units received and answers 308. */
async function append(
  state: EmulatorState,
  session: Session,
  req: IncomingMessage,
  chunk: Chunk,
  file: FileHandle,
  base: string,
): Promise<SessionAnswer> {
  const start = session.persisted;
  const total = session.total;
  const hasher = new AlignedHasher(await session.checksums());
  const sink = new PartFileSink({
    file,
    position: start,
    skip: start - chunk.first,
    limit: chunk.last !== undefined ? chunk.last - chunk.first + 1 : total !== undefined ? total - chunk.first : Infinity,
    overflow: () =>
      chunk.last !== undefined
        ? badRequest('The request body is longer than its Content-Range')
        : badRequest(`The request body runs past the object's size of ${total} bytes`),
    hasher,
  });
  const received = await receiveBody(req, sink);
  const outcome: BodyOutcome = await sink.settled().then(
    () => received,
    (error: Error) => ({ kind: 'refused', error }),
  );
  const end = start + sink.appended;
  if (outcome.kind === 'refused' && !(outcome.error instanceof GcsError)) {
    // The disk failed mid-write: fall back to the bytes known good and rebuild checksums from them.
    session.resetChecksums();
    await file.truncate(start);
    throw outcome.error;
  }
  if (outcome.kind === 'complete') {
    const reachesEnd = chunk.endsWithBody || (total !== undefined && end === total);
    if (chunk.endsWithBody && total !== undefined && end !== total) {
      await keepWholeUnits(session, file, hasher, end);
      throw badRequest(`The upload ended at ${end} bytes, not at its size of ${total} bytes`);
    }
    if (reachesEnd) {
      hasher.keepTail();
      await file.datasync();
      session.persisted = end;
      await declareTotal(state, session, end);
      return { kind: 'complete', object: await finalize(state, session, req.headers['x-goog-hash'], base) };
    }
  }
  await keepWholeUnits(session, file, hasher, end);
  if (outcome.kind === 'refused') throw outcome.error;
  return outcome.kind === 'aborted' ? { kind: 'gone' } : { kind: 'incomplete', persisted: session.persisted };
}

/** Keeps the bytes up to `end` that fill whole 256 KiB units; the tail goes. They are
 * synced before the 308 says they are persisted. */
async function keepWholeUnits(session: Session, file: FileHandle, hasher: AlignedHasher, end: number): Promise<void> {
  const kept = end - hasher.dropTail();
  await file.truncate(kept);
  await file.datasync();
  session.persisted = kept;
}

/** Checks the bytes against the checksums given at the start (and X-Goog-Hash of the
 * last request), then commits the object. A mismatch or failed precondition ends the
 * session without an object. The object takes a link to the part file, which goes only
 * once the session is marked done, so a crash in between leaves bytes to resume from or
 * an object a restart recognises as this session's (SessionStore.open). */
async function finalize(
  state: EmulatorState,
  session: Session,
  googHash: string | string[] | undefined,
  base: string,
): Promise<ObjectMetadata> {
  const { record } = session;
  const digests = (await session.checksums()).digests();
  const mismatch =
    checksumMismatch(record.expected, digests) ??
    checksumMismatch(parseGoogHash(typeof googHash === 'string' ? googHash : undefined), digests);
  if (mismatch) {
    state.sessions.remove(session);
    throw badRequest(`Provided ${mismatch} does not match the uploaded data; the object was not created`);
  }
  const staged = await state.objects.stage(session.partPath);
  let object: ObjectMetadata;
  try {
    object = await state.objects.commit(
      record.bucket,
      record.name,
      staged,
      { init: record.init, size: session.persisted, digests, uploadId: record.uploadId },
      record.preconditions,
    );
  } catch (err) {
    await rm(staged, { force: true });
    state.sessions.remove(session);
    throw err;
  }
  record.finalized = object;
  await state.sessions.save(session);
  await rm(session.partPath, { force: true });
  state.finalized(object, base);
  return object;
}
