import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { WATCHED_COLLECTIONS } from '../../scripts/local-stack/firestore-autosave';

const REPO = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Collection ids in the paths the code hands to Firestore: `.collection('x')`, `.collectionGroup('x')`,
 * `.doc(\`a/${id}/b/${id}\`)`; in a path, collections are the segments at even positions. */
function collectionIds(source: string): string[] {
  const ids: string[] = [];
  for (const m of source.matchAll(/\.(collection|collectionGroup|doc)\(\s*(['`])([^'`]*)\2/g)) {
    const segments = m[3].split('/');
    // `.doc('id')` on a collection names a document, not a path from the root.
    if (m[1] === 'doc' && segments.length === 1) continue;
    segments.forEach((segment, i) => {
      if (i % 2 === 0 && segment !== '' && !segment.includes('${')) ids.push(segment);
    });
  }
  return ids;
}

describe('the autosave of npm start', () => {
  it('watches every collection the functions and files-admin write', () => {
    const unwatched = [...sources(join(REPO, 'functions')), ...sources(join(REPO, 'scripts', 'admin'))].flatMap((file) =>
      collectionIds(readFileSync(file, 'utf8'))
        .filter((id) => !WATCHED_COLLECTIONS.includes(id))
        .map((id) => `${id} (${relative(REPO, file)})`),
    );
    expect(unwatched).toEqual([]);
  });

  it('finds the collections of a nested path', () => {
    expect(
      collectionIds("db.doc(`organizations/${org}/idempotency_keys/${k}`); db.collection('api_keys').doc(hash); shards.doc('reserved')"),
    ).toEqual(['organizations', 'idempotency_keys', 'api_keys']);
  });
});
