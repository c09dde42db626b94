// What lets the build's generators skip their work when nothing they read has changed: a hash of their
// inputs' contents kept beside their outputs, and writes that leave an unchanged file (and its time, which
// `tsc -b` goes by) alone. Contents rather than times, so a checkout, a copy or a clock never fools it.
// Plain CommonJS with no dependencies, as contract/load.js.
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

/** Every file under `path` (itself, when it is a file), sorted, so the hash does not depend on listing order. */
function filesOf(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesOf(join(path, name)));
}

/** One hash over the inputs' names and contents (files, or directories taken whole). */
function inputsHash(root, inputs) {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap(filesOf))
    hash
      .update(`${relative(root, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}

/**
 * A generator's record of what it last ran on. `fresh()` is true when the
 * stamp names these same inputs and every output exists; `record()` writes the
 * stamp once the outputs are written.
 */
function buildStamp(stampFile, root, inputs, outputs) {
  const hash = inputsHash(root, inputs);
  return {
    fresh: () => existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash && outputs.every((file) => existsSync(file)),
    record: () => writeFileSync(stampFile, hash),
  };
}

/** Writes `text` unless the file holds it already. */
function writeIfChanged(file, text) {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileSync(file, text);
}

module.exports = { buildStamp, writeIfChanged };
