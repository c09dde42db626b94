// dist/esm holds ES modules in a package that is CommonJS by default.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

writeFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'esm', 'package.json'), '{ "type": "module" }\n');
