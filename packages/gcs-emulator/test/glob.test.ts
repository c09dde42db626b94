import { globToRegExp } from '../src/glob';

function matches(glob: string, names: string[]): string[] {
  const re = globToRegExp(glob);
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
      expect(() => globToRegExp(glob)).toThrow(/unclosed/);
      return;
    }
    expect(matches(glob, NAMES)).toEqual(expected);
  });

  it('treats regular-expression characters as literals', () => {
    expect(matches('a.txt', ['a.txt', 'abtxt'])).toEqual(['a.txt']);
    expect(matches('(x)+$', ['(x)+$', 'xx'])).toEqual(['(x)+$']);
  });

  it('refuses a range out of order', () => {
    expect(() => globToRegExp('[z-a]')).toThrow(/out of order/);
  });
});
