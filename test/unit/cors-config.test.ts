import { ConfigError, loadConfig } from '../../functions/config';

describe('CORS_ALLOWED_ORIGINS', () => {
  it('is empty by default, and takes exact origins separated by commas', () => {
    expect([...loadConfig({ FILES_BUCKET: 'bkt' }).corsAllowedOrigins]).toEqual([]);
    const config = loadConfig({
      FILES_BUCKET: 'bkt',
      CORS_ALLOWED_ORIGINS: 'https://app.example.com, http://127.0.0.1:5173,http://[::1]:8080',
    });
    expect([...config.corsAllowedOrigins]).toEqual(['https://app.example.com', 'http://127.0.0.1:5173', 'http://[::1]:8080']);
  });

  it('refuses anything a browser would never send as its Origin, naming each', () => {
    const bad = [
      '*',
      'https://app.example.com/',
      'https://App.example.com',
      'https://app.example.com:443',
      'app.example.com',
      'ftp://x.example',
      'null',
    ];
    let error: unknown;
    try {
      loadConfig({ FILES_BUCKET: 'bkt', CORS_ALLOWED_ORIGINS: bad.join(',') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(bad.length);
    for (const [i, origin] of bad.entries()) expect((error as ConfigError).problems[i]).toContain(JSON.stringify(origin));
  });
});
