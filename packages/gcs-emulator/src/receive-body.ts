import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';

/** How a request body ended: fully received, cut off by the client, or refused by the sink. */
export type BodyOutcome = { kind: 'complete' } | { kind: 'aborted' } | { kind: 'refused'; error: Error };

/** Pipes the body into `sink` (with backpressure) and reports how it ended; never
 * rejects. When the client goes away, what reached the sink is still written. */
export function receiveBody(req: IncomingMessage, sink: Writable): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    let aborted = false;
    sink.once('finish', () => resolve(aborted ? { kind: 'aborted' } : { kind: 'complete' }));
    sink.once('error', (error) => {
      req.unpipe(sink);
      resolve({ kind: 'refused', error });
    });
    const abort = () => {
      if (aborted || sink.writableEnded) return;
      aborted = true;
      req.unpipe(sink);
      sink.end();
    };
    req.once('error', abort);
    // A request can close while it waits for its session's lock: then no 'close' is
    // left to hear, and waiting for one would hold the lock for good.
    if (req.closed) {
      if (req.complete) req.pipe(sink);
      else abort();
      return;
    }
    req.once('close', () => {
      if (!req.complete) abort();
    });
    req.pipe(sink);
  });
}

/** Pipes the body into `first` and destroys it if the client goes away, so whatever
 * awaits the chain settles. Unlike `pipeline(req, …)`, a refusal by the chain leaves
 * the socket alone, so the refusal can still be answered. */
export function feedFromRequest(req: IncomingMessage, first: Writable): void {
  const gone = () => void first.destroy(new Error('the client closed the request before its body was complete'));
  if (req.closed && !req.complete) return gone();
  req.once('close', () => {
    if (!req.complete) gone();
  });
  req.pipe(first);
}
