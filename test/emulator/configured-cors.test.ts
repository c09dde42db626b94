import { ownEmulator, storageClient } from './helpers';

// --cors-origin: browser origins allowed on the JSON API and downloads (sessions carry their own).
describe('--cors-origin', () => {
  it('answers allowed origins on downloads and preflights, and no others', async () => {
    const allowed = 'https://app.example.test';
    const own = await ownEmulator({ corsOrigins: [allowed] });
    try {
      const client = storageClient(own.emulator.url);
      await client.createBucket('cors-config');
      await client.bucket('cors-config').file('page.html').save('<p>hi</p>', { resumable: false, metadata: { contentType: 'text/html' } });
      const media = `${own.emulator.url}/download/storage/v1/b/cors-config/o/page.html?alt=media`;

      const download = await fetch(media, { headers: { Origin: allowed } });
      expect(download.status).toBe(200);
      expect(download.headers.get('access-control-allow-origin')).toBe(allowed);
      expect((download.headers.get('access-control-expose-headers') as string).toLowerCase()).toContain('x-goog-hash');

      const preflight = await fetch(media, { method: 'OPTIONS', headers: { Origin: allowed, 'Access-Control-Request-Method': 'GET' } });
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');

      const stranger = await fetch(media, { headers: { Origin: 'https://elsewhere.test' } });
      expect(stranger.status).toBe(200);
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await own.cleanup();
    }
  });
});
