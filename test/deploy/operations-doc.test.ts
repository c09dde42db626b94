import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const operations = readFileSync(join(root, 'docs', 'OPERATIONS.md'), 'utf8');

describe('docs/OPERATIONS.md', () => {
  it('documents every variable functions/config.ts reads, in the configuration table', () => {
    const config = readFileSync(join(root, 'functions', 'config.ts'), 'utf8');
    const names = new Set([...config.matchAll(/env\.([A-Z][A-Z0-9_]+)|integer\('([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] ?? m[2]));
    expect(names.size).toBeGreaterThan(10);
    const firstCells = operations
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|')[1]);
    for (const name of names) expect(firstCells.some((cell) => cell.includes(`\`${name}\``))).toBe(true);
  });

  it('deploys with the one command, on a runtime Google still takes', () => {
    expect(operations).toContain('npm run deploy -- --project my-project --region europe-west1');
    expect(operations).not.toMatch(/nodejs(1\d|20|22)\b/);
  });
});
