import fc from 'fast-check';
import { createHmac, randomBytes } from 'node:crypto';
import { loadConfig } from '../../functions/config';
import { decodePageToken, encodePageToken, MAX_PAGE, MAX_PAGE_TOKEN_LENGTH, type ListScope } from '../../functions/domain/page-token';

const secret = randomBytes(32);
const scope: ListScope = { organizationId: 'org_123', limit: 10 };
const position = { createdAt: '2026-01-01T00:00:03Z', id: 'file_Ab3' };

const bodyOf = (token: string) => JSON.parse(Buffer.from(token.slice(0, -43), 'base64url').toString()) as Record<string, unknown>;
/** A token with `body`, signed as the server signs: what only a holder of the secret could make. */
function signed(body: unknown, key = secret): string {
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return encoded + createHmac('sha256', key).update(`files-api page token\n${encoded}`).digest('base64url');
}

describe('page tokens', () => {
  it('name the position and page they were made for, in their own listing only', () => {
    const token = encodePageToken(secret, scope, position, 7);
    expect(token).toMatch(/^[A-Za-z0-9_-]{44,}$/);
    expect(token.length).toBeLessThan(MAX_PAGE_TOKEN_LENGTH);
    expect(signed(bodyOf(token))).toBe(token);
    expect(decodePageToken(secret, token, scope)).toEqual({ position, page: 7 });
    expect(decodePageToken(secret, token, { ...scope, organizationId: 'org_124' })).toEqual({ refused: 'foreign' });
    expect(decodePageToken(secret, token, { ...scope, limit: 11 })).toEqual({ refused: 'foreign' });
    expect(decodePageToken(secret, token, { ...scope, status: 'uploaded' })).toEqual({ refused: 'foreign' });
  });

  it('of a filtered listing belong to its filters; those of a search carry the name their next page starts after', () => {
    const searching: ListScope = { ...scope, purpose: 'invoice', search: 'ärger' };
    const named = { ...position, name: 'ärger-2.pdf' };
    const token = encodePageToken(secret, searching, named, 3);
    expect(decodePageToken(secret, token, searching)).toEqual({ position: named, page: 3 });
    expect(decodePageToken(secret, token, { ...searching, search: 'ärge' })).toEqual({ refused: 'foreign' });
    expect(decodePageToken(secret, token, { ...searching, purpose: undefined })).toEqual({ refused: 'foreign' });
    expect(decodePageToken(secret, token, scope)).toEqual({ refused: 'foreign' });
    const byPurpose: ListScope = { ...scope, purpose: 'invoice' };
    expect(decodePageToken(secret, encodePageToken(secret, byPurpose, position, 2), byPurpose)).toEqual({ position, page: 2 });
    // A search's position without its name, or a name in a listing that is no search, is not one this API wrote.
    const { n: _name, ...nameless } = bodyOf(token);
    expect(decodePageToken(secret, signed(nameless), searching)).toEqual({ refused: 'malformed' });
    expect(decodePageToken(secret, signed({ ...bodyOf(encodePageToken(secret, scope, position, 2)), n: 'x' }), scope)).toEqual({
      refused: 'malformed',
    });
    // The longest name a search can hold still fits the contract's bound.
    const longest = encodePageToken(
      secret,
      { ...searching, search: '\u{10ffff}'.repeat(127) },
      { ...position, name: '\u{10ffff}'.repeat(127) },
      2,
    );
    expect(longest.length).toBeLessThan(MAX_PAGE_TOKEN_LENGTH);
  });

  it('refuse a token signed with another secret, edited, unsigned, or re-signed by anyone else', () => {
    const token = encodePageToken(secret, scope, position, 2);
    const good = bodyOf(token);
    const unsigned = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');
    for (const forged of [
      encodePageToken(randomBytes(32), scope, position, 2),
      signed({ ...good, p: 9007199254740991 }, randomBytes(32)),
      unsigned({ ...good, p: 9007199254740991 }) + token.slice(-43),
      unsigned(good),
      `${token}x`,
      token.slice(0, -1),
    ]) {
      expect({ forged, answer: decodePageToken(secret, forged, scope) }).toEqual({ forged, answer: { refused: 'malformed' } });
    }
  });

  it('bound every field, even of a validly signed body', () => {
    const good = bodyOf(encodePageToken(secret, scope, position, 2));
    expect(decodePageToken(secret, signed({ ...good, p: MAX_PAGE }), scope)).toEqual({ position, page: MAX_PAGE });
    for (const token of [
      'x'.repeat(MAX_PAGE_TOKEN_LENGTH + 1),
      'not base64!',
      signed([1, 2]),
      signed(null),
      signed({ ...good, v: 1 }),
      signed({ ...good, p: 1 }),
      signed({ ...good, p: 2.5 }),
      signed({ ...good, p: MAX_PAGE + 1 }),
      signed({ ...good, p: 9007199254740991 }),
      signed({ ...good, c: '2026-01-01' }),
      signed({ ...good, c: '2026-13-45T99:99:99Z' }),
      signed({ ...good, i: '../../org_124/files/file_x' }),
      signed({ ...good, extra: true }),
    ]) {
      expect({ token, answer: decodePageToken(secret, token, scope) }).toEqual({ token, answer: { refused: 'malformed' } });
    }
  });

  it('never throw, whatever a caller sends', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (token) => {
        const answer = decodePageToken(secret, token, scope);
        expect('refused' in answer || answer.page >= 2).toBe(true);
      }),
      { numRuns: 2000 },
    );
    const token = encodePageToken(secret, scope, position, 3);
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...'ABCabc012_-'), (at, char) => {
        const altered = token.slice(0, at) + char + token.slice(at + 1);
        const answer = decodePageToken(secret, altered, scope);
        if (!('refused' in answer)) expect(altered).toBe(token);
      }),
    );
  });
});

describe('page token spelling', () => {
  it('refuses another spelling of the same MAC (the spare bits of its last base64url character)', () => {
    const token = encodePageToken(secret, scope, position, 3);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token[token.length - 1]);
    // 32 bytes in 43 characters: the last one carries 4 bits of the MAC and 2 spare ones.
    const sameBytes = [0, 1, 2, 3].map((spare) => alphabet[(last & ~3) | spare]).filter((c) => c !== token[token.length - 1]);
    expect(sameBytes).toHaveLength(3);
    for (const c of sameBytes) expect(decodePageToken(secret, token.slice(0, -1) + c, scope)).toEqual({ refused: 'malformed' });
  });
});

describe('PAGE_TOKEN_SECRET', () => {
  const base = { FILES_BUCKET: 'bkt' };
  it('keys the tokens when set, and must be at least 32 characters', () => {
    const value = 'k'.repeat(32);
    expect(loadConfig({ ...base, PAGE_TOKEN_SECRET: value }).pageTokenSecret).toEqual(Buffer.from(value));
    expect(() => loadConfig({ ...base, PAGE_TOKEN_SECRET: 'short' })).toThrow(/PAGE_TOKEN_SECRET: must be at least 32/);
  });

  it('is required on Google Cloud for the files function; elsewhere a random one serves this process', () => {
    expect(() => loadConfig({ ...base, K_SERVICE: 'files' })).toThrow(/PAGE_TOKEN_SECRET: must be set on Google Cloud/);
    expect(() => loadConfig({ ...base, K_SERVICE: 'files', FUNCTION_TARGET: 'files' })).toThrow(/PAGE_TOKEN_SECRET/);
    expect(loadConfig({ ...base, K_SERVICE: 'sweep', FUNCTION_TARGET: 'sweep' }).pageTokenSecret).toHaveLength(32);
    const local = [loadConfig(base).pageTokenSecret, loadConfig(base).pageTokenSecret];
    expect(local[0]).toHaveLength(32);
    expect(local[0].equals(local[1])).toBe(false);
  });
});
