import { listPage } from '../src/list-page';

const NAMES = ['a', 'b/1', 'b/2', 'b/c/3', 'c', 'd/1', 'e'];
const query = { prefix: '', delimiter: '', maxResults: 1000 };

describe('listPage', () => {
  it('lists all names under a prefix', () => {
    expect(listPage(NAMES, { ...query, prefix: 'b/' })).toEqual({ names: ['b/1', 'b/2', 'b/c/3'], prefixes: [] });
  });

  it('rolls up names at the delimiter after the prefix', () => {
    expect(listPage(NAMES, { ...query, delimiter: '/' })).toEqual({ names: ['a', 'c', 'e'], prefixes: ['b/', 'd/'] });
    expect(listPage(NAMES, { ...query, prefix: 'b/', delimiter: '/' })).toEqual({ names: ['b/1', 'b/2'], prefixes: ['b/c/'] });
  });

  it('pages through items and prefixes alike, without repeats or gaps', () => {
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = listPage(NAMES, { ...query, delimiter: '/', maxResults: 2, pageToken });
      seen.push(...page.names, ...page.prefixes);
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['a', 'b/', 'c', 'd/', 'e']);
  });

  it('gives no token on an exactly full last page', () => {
    expect(listPage(['x', 'y'], { ...query, maxResults: 2 }).nextPageToken).toBeUndefined();
  });

  it('refuses a token it did not make', () => {
    expect(() => listPage(NAMES, { ...query, pageToken: 'bogus' })).toThrow('Invalid pageToken');
  });
});
