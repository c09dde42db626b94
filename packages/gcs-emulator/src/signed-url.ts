import { createHash, verify } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SigningKey } from './signing-key';
import { XmlError } from './xml-error';

const ALGORITHM = 'GOOG4-RSA-SHA256';
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;
/** How far in the future X-Goog-Date may be (clock skew between signer and emulator). */
const FUTURE_SKEW_MS = 60_000;
const DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Whether a request carries V4 query-string authentication. */
export function isSignedRequest(query: URLSearchParams): boolean {
  return query.has('X-Goog-Signature') || query.has('X-Goog-Algorithm');
}

/** Checks a V4-signed URL (https://cloud.google.com/storage/docs/authentication/signatures):
 * the expiry first (an expired URL is a 400 ExpiredToken, as in Cloud Storage, even when
 * its expiry was tampered with), then the RSA-SHA256 signature of the canonical request
 * against the configured key (403 SignatureDoesNotMatch). `path` is as received. */
export function verifySignedUrl(
  req: IncomingMessage,
  path: string,
  query: URLSearchParams,
  key: SigningKey | undefined,
  now = Date.now(),
): void {
  const param = (name: string) => {
    const value = query.get(name);
    if (value === null || value === '') throw invalid(`Missing ${name}.`);
    return value;
  };
  if (param('X-Goog-Algorithm') !== ALGORITHM)
    throw invalid(`Unsupported X-Goog-Algorithm: ${query.get('X-Goog-Algorithm')} (the emulator verifies ${ALGORITHM}).`);
  const credential = param('X-Goog-Credential');
  const dateText = param('X-Goog-Date');
  const expiresText = param('X-Goog-Expires');
  const signedHeaders = param('X-Goog-SignedHeaders');
  const signature = param('X-Goog-Signature');
  const date = DATE.exec(dateText);
  if (!date) throw invalid(`Invalid X-Goog-Date: ${dateText}.`);
  const signedAt = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6]));
  const expires = /^\d{1,7}$/.test(expiresText) ? Number(expiresText) : Number.NaN;
  if (!(expires >= 1 && expires <= MAX_EXPIRES_SECONDS))
    throw invalid(`X-Goog-Expires must be from 1 to ${MAX_EXPIRES_SECONDS} seconds: ${expiresText}.`);
  const expiresAt = signedAt + expires * 1000;
  if (now >= expiresAt) {
    throw new XmlError(
      400,
      'ExpiredToken',
      'Invalid argument.',
      `The provided token has expired. Request signature expired at: ${new Date(expiresAt).toISOString().replace('.000Z', '+00:00')}`,
    );
  }
  if (signedAt > now + FUTURE_SKEW_MS) throw new XmlError(400, 'ExpiredToken', 'Invalid argument.', 'The provided token is not yet valid.');
  const [email, ...scopeParts] = credential.split('/');
  const scope = scopeParts.join('/');
  if (!key) throw denied('The storage emulator was started without --signing-credentials, so it accepts no signed URL.');
  if (
    email !== key.clientEmail ||
    scopeParts.length !== 4 ||
    scopeParts[0] !== dateText.slice(0, 8) ||
    scopeParts[2] !== 'storage' ||
    scopeParts[3] !== 'goog4_request'
  ) {
    throw denied(
      `The credential ${credential} is not the emulator's signing account (${key.clientEmail}) with a scope of the signing date.`,
    );
  }
  const names = signedHeaders.split(';');
  let last: { stringToSign: string; canonicalRequest: string } | undefined;
  // A HEAD may also use a URL signed for GET: it reveals nothing the GET would not.
  const methods = req.method === 'HEAD' ? ['HEAD', 'GET'] : [req.method ?? 'GET'];
  for (const [method, host] of methods.flatMap((m) => hostForms(req.headers.host).map((h) => [m, h]))) {
    const canonicalRequest = [
      method,
      canonicalPath(path),
      canonicalQuery(query),
      canonicalHeaders(req, names, host),
      signedHeaders,
      'UNSIGNED-PAYLOAD',
    ].join('\n');
    const stringToSign = [ALGORITHM, dateText, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    if (/^[0-9a-f]+$/i.test(signature) && verify('sha256', Buffer.from(stringToSign), key.publicKey, Buffer.from(signature, 'hex'))) return;
    last ??= { stringToSign, canonicalRequest };
  }
  throw new XmlError(
    403,
    'SignatureDoesNotMatch',
    'Access denied.',
    'The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.',
    {
      StringToSign: last?.stringToSign ?? '',
      CanonicalRequest: last?.canonicalRequest ?? '',
    },
  );
}

/** The Host header as sent and without its port: the Node client signs the endpoint's
 * hostname alone, other signers the host with its port. */
function hostForms(host: string | undefined): string[] {
  const sent = host ?? '';
  const bare = sent.replace(/:\d+$/, '');
  return bare === sent ? [sent] : [sent, bare];
}

/** Each segment percent-encoded the one way signers do (RFC 3986 unreserved kept). */
function canonicalPath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return encodeRfc3986(decodeURIComponent(segment));
      } catch {
        return segment;
      }
    })
    .join('/');
}

function canonicalQuery(query: URLSearchParams): string {
  return [...query.entries()]
    .filter(([name]) => name !== 'X-Goog-Signature')
    .map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function canonicalHeaders(req: IncomingMessage, names: string[], host: string): string {
  return names
    .map((name) => {
      const raw = name === 'host' ? host : req.headers[name];
      const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
      return `${name}:${value.trim().replace(/\s{2,}/g, ' ')}\n`;
    })
    .join('');
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function invalid(details: string): XmlError {
  return new XmlError(400, 'InvalidArgument', 'Invalid argument.', details);
}

function denied(details: string): XmlError {
  return new XmlError(403, 'AccessDenied', 'Access denied.', details);
}
