import { compileGlob } from '@files-api/gcs-emulator';

/**
 * The storage emulator's matchGlob against names made to defeat backtracking: the automaton now in
 * packages/gcs-emulator/src/glob.ts, beside the RegExp the emulator compiled the same globs to before (`**` →
 * `.*`, `*` → `[^/]*`), on the same names. Run: `npm run build && node dist/bench/glob-matcher.js`.
 */
/** Each glob, the RegExp it used to be, and the longest name that RegExp is run on (seconds there already). */
const CASES: Array<[glob: string, regexp: RegExp, regexpMaxLength: number]> = [
  ['**a**a**a**b', /^.*a.*a.*a.*b$/su, 300],
  ['*a*a*a*a*a*b', /^[^/]*a[^/]*a[^/]*a[^/]*a[^/]*a[^/]*b$/su, 60],
];
const LENGTHS = [60, 300, 3000, 30000];

function time(run: () => boolean): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

for (const [glob, regexp, regexpMaxLength] of CASES) {
  for (const length of LENGTHS) {
    const name = 'a'.repeat(length);
    const matcher = compileGlob(glob);
    const automaton = time(() => matcher.test(name));
    const backtracking = length <= regexpMaxLength ? `${time(() => regexp.test(name)).toFixed(1)} ms` : '(not run)';
    console.log(`${glob} × ${length} a's: automaton ${automaton.toFixed(1)} ms, ${matcher.steps} steps; RegExp ${backtracking}`);
  }
}
