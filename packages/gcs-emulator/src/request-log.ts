import { createWriteStream, openSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { warn } from './log';

// Query values are shown only for these; others (upload_id, signatures, names…) by name alone.
const SHOWN_VALUES = new Set(['uploadType', 'alt']);

/** One line per request, when it ends: time, method, path (and query names), status,
 * bytes received and sent on the connection meanwhile, milliseconds. Session URIs and
 * signed URLs are capabilities, so no query value but a few harmless ones is written. */
export class RequestLog {
  /** Per connection, its byte counts when its previous request ended: what it reads
   * after that (headers, body) belongs to the next request. */
  private readonly counted = new WeakMap<Socket, { read: number; written: number }>();
  private failed = false;

  private constructor(private readonly out: Writable) {}

  /** `-` is stderr; anything else a file appended to, opened now so that a bad path
   * stops the start with its reason. A later write failure is one warning, and the log
   * stops; serving goes on. */
  static open(target: string): RequestLog {
    if (target === '-') return new RequestLog(process.stderr);
    const file = createWriteStream('', { fd: openSync(target, 'a') });
    const log = new RequestLog(file);
    file.on('error', (err) => {
      if (log.failed) return;
      log.failed = true;
      warn(`the request log ${target} failed, and stops: ${err.message}`);
    });
    return log;
  }

  watch(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
    const started = process.hrtime.bigint();
    const socket = req.socket;
    res.once('close', () => {
      if (this.failed) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const before = this.counted.get(socket) ?? { read: 0, written: 0 };
      const now = { read: socket.bytesRead, written: socket.bytesWritten };
      this.counted.set(socket, now);
      const ended = res.writableFinished ? '' : ' (cut off)';
      this.out.write(
        `${new Date().toISOString()} ${req.method} ${path}${safeQuery(query)} ${res.statusCode}${ended} in=${now.read - before.read} out=${now.written - before.written} ${ms.toFixed(1)}ms\n`,
      );
    });
  }

  close(): Promise<void> {
    if (this.out === process.stderr) return Promise.resolve();
    return new Promise((resolve) => this.out.end(resolve));
  }
}

function safeQuery(query: URLSearchParams): string {
  const parts = [...query.keys()].map((key) => (SHOWN_VALUES.has(key) ? `${key}=${encodeURIComponent(query.get(key) ?? '')}` : key));
  return parts.length ? `?${[...new Set(parts)].join('&')}` : '';
}
