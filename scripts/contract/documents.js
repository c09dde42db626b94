// The documents committed under docs/, as text, by path: what `npm run docs` writes and test/contract compares.
const { openApiDocument } = require('./openapi');
const { apiReference } = require('./reference');

function committedDocuments(loaded) {
  return {
    'docs/openapi.json': JSON.stringify(openApiDocument(loaded), null, 2) + '\n',
    'docs/API.md': apiReference(loaded),
  };
}

module.exports = { committedDocuments };
