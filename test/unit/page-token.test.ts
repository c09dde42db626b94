import fc from 'fast-check';
import { decodePageToken, encodePageToken, MAX_PAGE_TOKEN_LENGTH, type ListScope } from '../../functions/domain/page-token';

const scope: ListScope = { organizationId: 'org_123', limit: 10 };
const position = { createdAt: '2026-01-01T00:00:03Z', id: 'file_Ab3' };

describe('page tokens', () => {
  it('name the position and page they were made for, in their own listing only', () => {
    const token = encodePageToken(scope, position, 7);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThan(MAX_PAGE_TOKEN_LENGTH);
    expect(decodePageToken(token, scope)).toEqual({ position, page: 7 });
    expect(decodePageToken(token, { ...scope, organizationId: 'org_124' })).toEqual({ refused: 'foreign' });
    expect(decodePageToken(token, { ...scope, limit: 11 })).toEqual({ refused: 'foreign' });
    expect(decodePageToken(token, { ...scope, status: 'uploaded' })).toEqual({ refused: 'foreign' });
  });

  it('refuse what this module did not write', () => {
    const forged = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');
    const good = JSON.parse(Buffer.from(encodePageToken(scope, position, 2), 'base64url').toString()) as Record<string, unknown>;
    for (const token of [
      'x'.repeat(MAX_PAGE_TOKEN_LENGTH + 1),
      'not base64!',
      'e30',
      forged([1, 2]),
      forged(null),
      forged({ ...good, v: 2 }),
      forged({ ...good, p: 1 }),
      forged({ ...good, p: 2.5 }),
      forged({ ...good, c: '2026-01-01' }),
      forged({ ...good, i: '../../org_124/files/file_x' }),
      forged({ ...good, extra: true }),
    ]) {
      expect({ token, answer: decodePageToken(token, scope) }).toEqual({ token, answer: { refused: 'malformed' } });
    }
  });

  it('never throw, whatever a caller sends', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (token) => {
        const answer = decodePageToken(token, scope);
        expect('refused' in answer || answer.page >= 2).toBe(true);
      }),
      { numRuns: 2000 },
    );
    const token = encodePageToken(scope, position, 3);
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...'ABCabc012_-'), (at, char) => {
        const altered = token.slice(0, at) + char + token.slice(at + 1);
        const answer = decodePageToken(altered, scope);
        if (!('refused' in answer)) expect(answer.position.id).toMatch(/^file_[A-Za-z0-9]+$/);
      }),
    );
  });
});
