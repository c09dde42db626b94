import { Readable } from 'node:stream';
import { MultipartRelated, relatedBoundary } from '../../emulator/storage/multipart-related';
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
    expect(relatedBoundary('multipart/form-data; boundary=abc')).toBeUndefined();
    expect(relatedBoundary(undefined)).toBeUndefined();
  });
});
