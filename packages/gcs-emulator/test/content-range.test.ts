import { parseContentRange } from '../src/content-range';
import { GcsError } from '../src/errors';

describe('parseContentRange', () => {
  it.each([
    ['bytes */*', { kind: 'query', total: undefined }],
    ['bytes */1000', { kind: 'query', total: 1000 }],
    ['bytes 0--1/0', { kind: 'query', total: 0 }], // what the Node client sends for an empty object
    ['bytes 0-262143/*', { kind: 'data', first: 0, last: 262143, total: undefined }],
    ['bytes 262144-262153/262154', { kind: 'data', first: 262144, last: 262153, total: 262154 }],
    ['bytes 0-*/*', { kind: 'data', first: 0, last: undefined, total: undefined }],
    ['bytes 5-*/10', { kind: 'data', first: 5, last: undefined, total: 10 }],
    ['BYTES 0-0/1', { kind: 'data', first: 0, last: 0, total: 1 }],
  ])('reads %s', (header, expected) => {
    expect(parseContentRange(header)).toEqual(expected);
  });

  it.each([
    '',
    'bytes',
    'bytes 0-1',
    'bytes a-b/c',
    'items 0-1/2',
    'bytes 5-3/10',
    'bytes 0-10/10',
    'bytes -1-5/10',
    'bytes 0-1/2/3',
    `bytes 0-${'9'.repeat(17)}/*`,
  ])('refuses %j with 400', (header) => {
    expect(() => parseContentRange(header)).toThrow(GcsError);
    try {
      parseContentRange(header);
    } catch (err) {
      expect((err as GcsError).code).toBe(400);
    }
  });
});
