import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { lazyWhatwgUrl } from '../../scripts/lazy-whatwg-url';

// scripts/bundle.js's plugin, on node-fetch 2 alone: bundled as the deployable bundles it, then
// evaluated with a require that records the builtins the bundle asks for. whatwg-url's tr46 asks
// for `punycode` when it loads, so that request tells whether whatwg-url was loaded.
const root = join(__dirname, '..', '..');

async function loadBundledNodeFetch(plugins: Plugin[]) {
  const { outputFiles } = await build({
    stdin: { contents: "module.exports = require('node-fetch');", resolveDir: root, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    plugins,
  });
  const requested: string[] = [];
  const module = { exports: {} as { default: typeof fetch } };
  const record = (id: string) => {
    requested.push(id.replace(/^node:/, ''));
    return require(id) as unknown;
  };
  new Function('require', 'module', 'exports', outputFiles[0].text)(record, module, module.exports);
  return { fetch: module.exports.default, requested };
}

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => res.end(`hello ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x?y=1`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

it('without the plugin, node-fetch loads whatwg-url at load', async () => {
  const { requested } = await loadBundledNodeFetch([]);
  expect(requested).toContain('punycode');
});

it('with the plugin, node-fetch loads and fetches without ever loading whatwg-url', async () => {
  const { fetch, requested } = await loadBundledNodeFetch([lazyWhatwgUrl]);
  const answer = await fetch(url);
  expect(await answer.text()).toBe('hello /x?y=1');
  expect(requested).toContain('http');
  expect(requested).not.toContain('punycode');
});
