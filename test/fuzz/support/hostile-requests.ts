import fc from 'fast-check';
import { KEYS, ORG_A, ORG_B } from './in-process-api';
import type { RawRequest } from './raw-http';

/** Strings no API should trip on: lone surrogates, bidi and invisible controls, NUL, combining marks, astral, BOM. */
export const hostileText = fc.oneof(
  fc.constantFrom(
    'a\ud800.txt',
    '\udc00',
    'x\udbff\udfff\ud800',
    'invoice\u202efdp.exe',
    '\u2066a\u2069',
    'a\u200b\u200d\ufeff.txt',
    'nul\u0000.bin',
    '\u0007bell',
    'a\r\nb',
    'e\u0301\u0301\u0301',
    'A\u030A',
    '\u00C5',
    '😀'.repeat(64),
    '\ufffe\uffff',
    '.',
    '..',
    '...',
    ' ',
    '',
    'con',
    'a/b',
    'a\\b',
    '%2e%2e',
    '%00',
    '${x}',
    '<script>',
    "'; --",
    'x'.repeat(255),
    'x'.repeat(256),
    'é'.repeat(255),
    '\u0085',
    '\u2028',
    'ǅ',
    '𝔘𝔫𝔦',
    'ﬀ',
    'İ',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
);

/** Numbers at every edge a size, page or limit meets, as JSON text (some are not JSON). */
export const edgeNumberText = fc.oneof(
  fc.constantFrom(
    '0',
    '-0',
    '1',
    '-1',
    '1.5',
    '1e0',
    '1E3',
    '1e309',
    '-1e309',
    '1e-400',
    '5368709120',
    '5368709121',
    '5368709120.0',
    '9007199254740991',
    '9007199254740993',
    '1' + '0'.repeat(400),
    '0.1e1',
    '00',
    '01',
    '0x10',
    'NaN',
    'Infinity',
    '+1',
    '.5',
    '5.',
    '"1"',
    'true',
    'null',
    '[]',
    '{}',
    '4294967296',
    '2147483648',
    '-2147483649',
  ),
  fc.double().map((n) => (Number.isFinite(n) ? String(n) : '1e999')),
  fc.bigInt().map(String),
);

const fileFields = [
  'filename',
  'file_size',
  'mime_type',
  'upload_type',
  'crc32c',
  'md5_hash',
  'gcs_path',
  'file_id',
  'extra',
  '__proto__',
  'constructor',
];
const mimeText = fc.constantFrom(
  'application/pdf',
  'video/mp4',
  'TEXT/PLAIN; charset=UTF-8',
  'image/png',
  'a/b',
  '/',
  'text/',
  '*/*',
  'text/plain; x="\\"',
  'x'.repeat(300) + '/y',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  '',
);

function jsonString(s: string): string {
  // JSON.stringify keeps lone surrogates as escapes, so they reach the server as sent.
  return JSON.stringify(s);
}

/** A JSON object's text, field by field, so invalid values (lone surrogates, huge numbers) survive as text. */
const hostileObjectText = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...fileFields), hostileText),
      fc.oneof(
        hostileText.map(jsonString),
        mimeText.map(jsonString),
        edgeNumberText,
        fc.constantFrom(
          '"resumable"',
          '"simple"',
          '"RESUMABLE"',
          '"AAAAAA=="',
          '"1B2M2Y8AsgTpgAmY7PhCfg=="',
          `"files/${ORG_A}/file_x/a.pdf"`,
          `"files/${ORG_B}/file_x/a.pdf"`,
        ),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      ),
    ),
    { maxLength: 8 },
  )
  .map((pairs) => `{${pairs.map(([k, v]) => `${jsonString(k)}:${v}`).join(',')}}`);

/** A request body that upload-url would accept, but for one field. */
const nearlyValidText = fc
  .record({
    filename: fc.oneof(fc.constant('report.pdf'), hostileText),
    file_size: fc.oneof(fc.constant('1000'), edgeNumberText),
    mime_type: mimeText,
  })
  .map((r) => `{"filename":${jsonString(r.filename)},"file_size":${r.file_size},"mime_type":${jsonString(r.mime_type)}}`);

const malformedJson = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '}',
    '{"a":',
    '{"a" 1}',
    'nul',
    'null',
    '[]',
    '"x"',
    '1',
    'true',
    '{"filename":"a"}x',
    '\ufeff{}',
    '{}\u0000',
    "{'a':1}",
    '{"a":1,}',
    '{"a":01}',
    '{"a":"\\x41"}',
    '{"a":"\\ud800"}',
    '{"a":"\u0001"}',
    '{"file_size":1,"file_size":2}',
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
  ),
  fc.integer({ min: 1, max: 40_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1, max: 20_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.integer({ min: 1, max: 20_000 }).map((d) => '['.repeat(d)),
  fc.string({ maxLength: 200 }),
);

/** Raw bytes that are not UTF-8 (overlong, surrogate-encoding, truncated), inside an otherwise valid body. */
const badUtf8Body = fc
  .constantFrom(
    [0xc0, 0xae],
    [0xe0, 0x80, 0xae],
    [0xed, 0xa0, 0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0xff],
    [0xc3],
    [0xf4, 0x90, 0x80, 0x80],
  )
  .map((bad) =>
    Buffer.concat([Buffer.from('{"filename":"a'), Buffer.from(bad), Buffer.from('.pdf","file_size":10,"mime_type":"application/pdf"}')]),
  );

export const hostileBody: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  fc.constant(undefined),
  nearlyValidText.map((t) => Buffer.from(t)),
  hostileObjectText.map((t) => Buffer.from(t)),
  malformedJson.map((t) => Buffer.from(t)),
  badUtf8Body,
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v))),
  fc.integer({ min: 60_000, max: 70_000 }).map((n) => Buffer.from(`{"filename":"${'x'.repeat(n)}"}`)),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.constant(Buffer.from('{"a":1}').toString('utf16le')).map((t) => Buffer.from(t, 'binary')),
);

/** Organization segments: the right one, the other one, and every way to write either or neither. */
export const orgSegment = fc.constantFrom(
  ORG_A,
  ORG_B,
  'ORG_A',
  'org_A',
  `${ORG_A}%2F..%2F${ORG_B}`,
  `${ORG_A}%2f`,
  `%6Frg_a`,
  `org%5Fa`,
  `%25${ORG_A}`,
  '..',
  '.',
  '%2e%2e',
  '%2E',
  '%252e%252e',
  `${ORG_A}%00`,
  `${ORG_A}%20`,
  '%',
  '%zz',
  '%c0%ae%c0%ae',
  '%ed%a0%80',
  '__x__',
  'org_' + 'a'.repeat(2000),
  `${ORG_A};x`,
  '%E2%80%AE',
);

const tailSegment = (fileIds: string[]) =>
  fc.oneof(
    fc.constantFrom(
      '',
      '/',
      '/upload-url',
      '/upload-url/',
      '/UPLOAD-URL',
      '/upload-url/x',
      '/upload%2Durl',
      '/upload-url%2F',
      '//upload-url',
      '/./upload-url',
      '/x/../upload-url',
      '/%2e%2e/upload-url',
      '/file_',
      '/file_%00',
      '/%',
      '/%zz',
      '/%2F',
      '/../..',
      '/x/download-url',
      '/file_x/',
      '/file_x//',
    ),
    fc
      .constantFrom(...fileIds)
      .chain((id) =>
        fc.constantFrom(
          `/${id}`,
          `/${id}/`,
          `/${id.toUpperCase()}`,
          `/${encodeURIComponent(id).replace('_', '%5F')}`,
          `/${id}/download-url`,
          `/${id}%2F`,
          `/${id}/..`,
        ),
      ),
  );

const prefix = fc.constantFrom(
  '',
  '',
  '',
  '/api',
  '//',
  '/favicon.ico',
  '/FAVICON.ICO',
  '/robots.txt',
  '/v1/organizations/org_b/files/x/..',
  '/%2e',
);
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?page=1&limit=50',
    '?limit=0',
    '?limit=101',
    '?limit=-1',
    '?page=0',
    '?page=1e3',
    '?page=9007199254740993',
    '?status=bogus',
    '?status=uploading',
    '?status=',
    '?limit=%00',
    '?page=1&page=2',
    '?limit=1.5',
    '?%zz',
    '?&&&',
    '?status=deleted',
    '?key=ak_x',
    '?page_token=',
    '?page_token=e30',
    '?page_token=%00',
    '?page_token=a&page_token=b',
    '?page=2&page_token=x',
  ),
  fc.string({ unit: fc.constantFrom('a', '=', '&', '%', '1', '-', '.'), maxLength: 30 }).map((q) => `?${q}`),
  // A page token's shape, with any JSON (or none) inside: the function must refuse it, never throw.
  fc
    .oneof(fc.json(), fc.string({ maxLength: 80 }))
    .map((body) => `?limit=${body.length % 3 ? 10 : 50}&page_token=${Buffer.from(body).toString('base64url')}`),
);

const apiKeyHeader = fc.oneof(
  fc.constantFrom<string[] | string | undefined>(
    undefined,
    KEYS.active,
    KEYS.active,
    KEYS.active,
    KEYS.other,
    KEYS.paused,
    KEYS.deactivated,
    KEYS.expired,
    KEYS.unknown,
    '',
    ' ',
    'ak_',
    'ak_short',
    `ak_${'A'.repeat(44)}`,
    `AK_${'A'.repeat(43)}`,
    ` ${KEYS.active}`,
    `Bearer ${KEYS.active}`,
    `ak_${'A'.repeat(20000)}`,
    [KEYS.active, KEYS.other],
    [KEYS.other, KEYS.active],
    [KEYS.active, KEYS.active],
  ),
  fc.string({ unit: fc.constantFrom('a', 'k', '_', '-', 'A', '0', '='), maxLength: 60 }),
);

const contentType = fc.constantFrom<string | string[] | undefined>(
  undefined,
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json;;',
  'application/json; charset="utf-8"',
  'application/merge-patch+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/cloudevents+json',
  '',
  'json',
  '*/*',
  ['application/json', 'text/plain'],
);

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
const printable = (max: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });

export function hostileRequest(fileIds: string[]): fc.Arbitrary<RawRequest> {
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'),
      prefix,
      org: orgSegment,
      tail: tailSegment(fileIds),
      query,
      apiKey: apiKeyHeader,
      contentType,
      body: hostileBody,
      lengthHeader: fc.constantFrom('exact', 'exact', 'exact', 'chunked'),
      contentEncoding: optional(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-unknown', 'gzip, gzip')),
      idempotencyKey: optional(fc.oneof(printable(40), fc.constantFrom('', 'x'.repeat(300), 'k\t1'))),
      origin: optional(
        fc.constantFrom(
          'https://app.example.com',
          'null',
          'http://-',
          'http://a:99999',
          `http://${'a'.repeat(8000)}`,
          'http://[::1]:8080',
          'chrome-extension://abc',
          'file://',
          'https://a.example.com/path',
        ),
      ),
      traceparent: optional(fc.oneof(printable(80), fc.constant('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'))),
      cloudTrace: optional(fc.oneof(printable(80), fc.constant('105445aa7843bc8bf206b12000100000/1;o=1'))),
      junk: optional(
        fc.constantFrom<[string, string | string[]]>(
          ['x-forwarded-for', '1.1.1.1, 2.2.2.2'],
          ['ce-specversion', '1.0'],
          ['ce-type', 'x'],
          ['expect', '100-continue'],
          ['x-http-method-override', 'DELETE'],
          ['cookie', 'a=b'],
          ['accept-encoding', 'gzip'],
          ['x-big', 'h'.repeat(12_000)],
          ['host', 'evil.example.com'],
        ),
      ),
    })
    .map((r) => {
      const headers: Record<string, string | string[]> = {};
      if (r.apiKey !== undefined) headers['x-api-key'] = r.apiKey;
      if (r.contentType !== undefined) headers['content-type'] = r.contentType;
      if (r.contentEncoding !== undefined) headers['content-encoding'] = r.contentEncoding;
      if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
      if (r.origin !== undefined) headers.origin = r.origin;
      if (r.traceparent !== undefined) headers.traceparent = r.traceparent;
      if (r.cloudTrace !== undefined) headers['x-cloud-trace-context'] = r.cloudTrace;
      if (r.junk) headers[r.junk[0]] = r.junk[1];
      // Every body is framed (a GET's too): bytes with no length would be a next request, not this one's body.
      const body = r.method === 'GET' || r.method === 'HEAD' ? (r.lengthHeader === 'exact' ? undefined : r.body) : r.body;
      if (body !== undefined && r.lengthHeader === 'exact') headers['content-length'] = String(body.length);
      if (body !== undefined && r.lengthHeader === 'chunked') headers['transfer-encoding'] = 'chunked';
      return { method: r.method, path: `${r.prefix}/v1/organizations/${r.org}/files${r.tail}${r.query}`, headers, body };
    });
}
