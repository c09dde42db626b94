import { parseArgs } from '../src/cli-args';

describe('parseArgs', () => {
  it('defaults to loopback and a week-long session lifetime', () => {
    expect(parseArgs(['--port', '0', '--data', '/d'], {})).toEqual({
      host: '127.0.0.1',
      port: 0,
      dataDir: '/d',
      sessionTtlSeconds: 7 * 24 * 3600,
      corsOrigins: [],
    });
  });

  it('reads every option, and the finalize URL from the environment', () => {
    const config = parseArgs(
      [
        '--port',
        '9199',
        '--data',
        '/d',
        '--host',
        '0.0.0.0',
        '--session-ttl',
        '2',
        '--cors-origin',
        'https://a.test,https://b.test',
        '--cors-origin',
        '*',
      ],
      { STORAGE_EMULATOR_FINALIZE_URL: 'http://127.0.0.1:1/hook' },
    );
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9199,
      dataDir: '/d',
      sessionTtlSeconds: 2,
      corsOrigins: ['https://a.test', 'https://b.test', '*'],
      finalizeUrl: 'http://127.0.0.1:1/hook',
    });
    expect(
      parseArgs(['--port', '1', '--data', '/d', '--on-finalize', 'http://x/'], { STORAGE_EMULATOR_FINALIZE_URL: 'http://y/' }).finalizeUrl,
    ).toBe('http://x/');
  });
});
