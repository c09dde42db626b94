import type { ServerResponse } from 'node:http';

/** A failure on the XML API's paths (signed URLs), answered as Cloud Storage does there:
 * `<Error><Code>…</Code><Message>…</Message><Details>…</Details></Error>`. */
export class XmlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string,
    /** Further elements, e.g. StringToSign and CanonicalRequest for a bad signature. */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendXmlError(res: ServerResponse, err: XmlError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const elements = [
    ['Code', err.code],
    ['Message', err.message],
    ...(err.details ? [['Details', err.details]] : []),
    ...Object.entries(err.extra),
  ];
  const body = `<?xml version='1.0' encoding='UTF-8'?><Error>${elements.map(([name, text]) => `<${name}>${escapeXml(text)}</${name}>`).join('')}</Error>`;
  res.writeHead(err.status, { 'Content-Type': 'application/xml; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}
