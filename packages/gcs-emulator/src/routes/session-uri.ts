import { corsHeaders, preflightHeaders } from '../cors';
import { notFound } from '../errors';
import { sendEmpty, sendJson } from '../http-io';
import { objectResource } from '../object-resource';
import type { RouteContext } from '../route-context';
import { putOnSession } from '../session-upload';

/** Requests on a session URI (…/o?uploadType=resumable&upload_id=…): bytes and status
 * queries (PUT, or POST as older clients send), cancel (DELETE), CORS preflight. */
export async function onSessionUri(ctx: RouteContext, bucket: string): Promise<void> {
  const session = ctx.state.sessions.find(ctx.query.get('upload_id'));
  if (!session || session.record.bucket !== bucket)
    throw notFound('No such upload session: it never existed, was cancelled or has expired');
  const { origin, uploadId } = session.record;
  // Set before any answer, errors included, so a browser can read them.
  for (const [name, value] of Object.entries(origin ? corsHeaders(origin) : {})) ctx.res.setHeader(name, value);
  ctx.res.setHeader('X-GUploader-UploadID', uploadId);
  switch (ctx.req.method) {
    case 'OPTIONS':
      sendEmpty(ctx.res, 200, origin ? preflightHeaders(origin, ctx.req) : {});
      return;
    case 'DELETE':
      session.writer?.destroy();
      ctx.state.sessions.remove(session);
      ctx.res.statusMessage = 'Client Closed Request';
      sendEmpty(ctx.res, 499);
      return;
    default: {
      const answer = await putOnSession(ctx.state, session, ctx.req, ctx.base);
      if (answer.kind === 'gone') {
        ctx.res.destroy();
      } else if (answer.kind === 'complete') {
        sendJson(ctx.res, 200, objectResource(answer.object, ctx.base));
      } else {
        const range: Record<string, string> = answer.persisted > 0 ? { Range: `bytes=0-${answer.persisted - 1}` } : {};
        // Go clients ask for "resume incomplete" as a 200 that says 308 in a header.
        if (ctx.req.headers['x-guploader-no-308'] === 'yes') {
          sendEmpty(ctx.res, 200, { ...range, 'X-Http-Status-Code-Override': '308' });
        } else {
          ctx.res.statusMessage = 'Resume Incomplete';
          sendEmpty(ctx.res, 308, range);
        }
      }
    }
  }
}
