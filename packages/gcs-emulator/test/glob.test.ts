import { compileGlob } from '../src/glob';

function matches(glob: string, names: string[]): string[] {
  const re = compileGlob(glob);
  return names.filter((name) => re.test(name));
}

const NAMES = [
  'a.txt',
  'a.csv',
  'ab.txt',
  'dir/a.txt',
  'dir/sub/a.txt',
  'dir/sub/deep/b.txt',
  'dir.txt',
  'x/y',
  '[lit]',
  'q?',
  'ü.txt',
  '😀.txt',
  'a{b',
];

describe('matchGlob patterns', () => {
  it.each<[string, string[]]>([
    ['*.txt', ['a.txt', 'ab.txt', 'dir.txt', 'ü.txt', '😀.txt']],
    ['dir/*', ['dir/a.txt']],
    ['dir/**', ['dir/a.txt', 'dir/sub/a.txt', 'dir/sub/deep/b.txt']],
    ['dir/**/a.txt', ['dir/a.txt', 'dir/sub/a.txt']],
    ['**/a.txt', ['a.txt', 'dir/a.txt', 'dir/sub/a.txt']],
    ['**.txt', ['a.txt', 'ab.txt', 'dir/a.txt', 'dir/sub/a.txt', 'dir/sub/deep/b.txt', 'dir.txt', 'ü.txt', '😀.txt']],
    ['?.txt', ['a.txt', 'ü.txt', '😀.txt']],
    ['x?y', []],
    ['a.{txt,csv}', ['a.txt', 'a.csv']],
    ['{a,dir/*}.txt', ['a.txt', 'dir/a.txt']],
    ['[ab].txt', ['a.txt']],
    ['[!a]*.txt', ['dir.txt', 'ü.txt', '😀.txt']],
    ['[a-c]b.txt', ['ab.txt']],
    ['\\[lit\\]', ['[lit]']],
    ['q\\?', ['q?']],
    ['a{b', []],
    ['a\\{b', ['a{b']],
    ['[]', []],
  ])('%s', (glob, expected) => {
    if (glob === 'a{b') {
      expect(() => compileGlob(glob)).toThrow(/unclosed/);
      return;
    }
    expect(matches(glob, NAMES)).toEqual(expected);
  });

  it('treats regular-expression characters as literals', () => {
    expect(matches('a.txt', ['a.txt', 'abtxt'])).toEqual(['a.txt']);
    expect(matches('(x)+$', ['(x)+$', 'xx'])).toEqual(['(x)+$']);
  });

  it('matches astral characters and ranges by code point, and any character in a negated class', () => {
    expect(matches('[😀-😂]', ['😁', '😃'])).toEqual(['😁']);
    expect(matches('a[!b]c', ['a/c', 'abc', 'a\nc'])).toEqual(['a/c', 'a\nc']);
    expect(matches('{}x', ['x'])).toEqual(['x']);
  });

  it('refuses a range out of order', () => {
    expect(() => compileGlob('[z-a]')).toThrow(/out of order/);
  });
});

describe('matchGlob work', () => {
  // A backtracking matcher takes exponential time on these (seconds for 300 characters, the
  // emulator's other requests waiting); an automaton visits at most each state once per character.
  it.each(['**a**a**a**b', '*a*a*a*a*a*b', '{**a,**a}{**a,**a}**b'])('%s against a long name stays linear', (glob) => {
    for (const length of [300, 3000]) {
      const matcher = compileGlob(glob);
      expect(matcher.test('a'.repeat(length))).toBe(false);
      expect(matcher.steps).toBeLessThanOrEqual(40 * (length + 1));
    }
  });
});
