import { Readable } from 'node:stream';
import { MultipartRelated, relatedBoundary } from '../src/multipart-related';
import { pattern } from './helpers';

async function parse(body: Buffer, boundary: string, pieceSize: number) {
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length; at += pieceSize) pieces.push(body.subarray(at, at + pieceSize));
  const parser = Readable.from(pieces).pipe(new MultipartRelated(boundary));
  const media: Buffer[] = [];
  for await (const piece of parser) media.push(piece as Buffer);
  return { metadata: parser.metadata, mediaType: parser.mediaType, media: Buffer.concat(media) };
}

describe('MultipartRelated', () => {
  const data = pattern(100_000, 5);
  const body = Buffer.concat([
    Buffer.from('preamble\r\n--sep\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{"name":"n","metadata":{"a":"1"}}\r\n'),
    Buffer.from('--sep\r\nContent-Type: image/png\r\n\r\n'),
    data,
    Buffer.from('\r\n--sep--\r\nepilogue'),
  ]);

  it.each([1, 7, 4096, body.length])('splits metadata and media whatever the read size (%d)', async (pieceSize) => {
    const parsed = await parse(body, 'sep', pieceSize);
    expect(parsed.metadata).toEqual({ name: 'n', metadata: { a: '1' } });
    expect(parsed.mediaType).toBe('image/png');
    expect(parsed.media.equals(data)).toBe(true);
  });

  // What gcloud storage and gsutil send (Python's email package): bare LF throughout.
  const bareLf = Buffer.concat([
    Buffer.from('--===============53616425==\nContent-Type: application/json\nMIME-Version: 1.0\n\n{"name": "n"}\n'),
    Buffer.from('--===============53616425==\nContent-Type: text/plain\nMIME-Version: 1.0\nContent-Transfer-Encoding: binary\n\n'),
    data,
    Buffer.from('\n--===============53616425==--\n'),
  ]);

  it.each([1, 5, 4096, bareLf.length])('reads a body with bare LF line breaks whatever the read size (%d)', async (pieceSize) => {
    const parsed = await parse(bareLf, '===============53616425==', pieceSize);
    expect(parsed.metadata).toEqual({ name: 'n' });
    expect(parsed.mediaType).toBe('text/plain');
    expect(parsed.media.equals(data)).toBe(true);
  });

  it('keeps a CR at the end of media sent with bare LF, and bare LFs inside CRLF media', async () => {
    const lf = await parse(Buffer.from('--b\n\n{}\n--b\n\nend\r\n--b--'), 'b', 2);
    expect(lf.media.toString()).toBe('end\r');
    const crlf = await parse(Buffer.from('--b\r\n\r\n{}\r\n--b\r\n\r\nx\n--b\ny\r\n--b--'), 'b', 2);
    expect(crlf.media.toString()).toBe('x\n--b\ny');
  });

  it('keeps media bytes that look like the start of a boundary', async () => {
    const tricky = Buffer.from('a\r\n--se\r\nx--sep\r\n--s');
    const withTricky = Buffer.concat([Buffer.from('--sep\r\n\r\n{}\r\n--sep\r\n\r\n'), tricky, Buffer.from('\r\n--sep--')]);
    expect((await parse(withTricky, 'sep', 3)).media.equals(tricky)).toBe(true);
  });

  it.each([
    ['no closing boundary', '--sep\r\n\r\n{}\r\n--sep\r\n\r\nbytes'],
    ['metadata that is not JSON', '--sep\r\n\r\n{oops\r\n--sep\r\n\r\nbytes\r\n--sep--'],
    ['a single part', '--sep\r\n\r\n{}\r\n--sep--'],
    ['three parts', '--sep\r\n\r\n{}\r\n--sep\r\n\r\nx\r\n--sep\r\n\r\ny\r\n--sep--'],
  ])('refuses %s', async (_why, text) => {
    await expect(parse(Buffer.from(text), 'sep', 5)).rejects.toMatchObject({ code: 400 });
  });

  it('reads the boundary from the Content-Type', () => {
    expect(relatedBoundary('multipart/related; boundary=abc')).toBe('abc');
    expect(relatedBoundary('Multipart/Related; charset=x; boundary="a b"')).toBe('a b');
    expect(relatedBoundary("multipart/related; boundary='===============5361642500552735275=='")).toBe(
      '===============5361642500552735275==',
    );
    expect(relatedBoundary('multipart/form-data; boundary=abc')).toBeUndefined();
    expect(relatedBoundary(undefined)).toBeUndefined();
  });
});
