import { ownEmulator, storageClient } from './helpers';

// --cors-origin: browser origins allowed on the JSON API and downloads (sessions carry their own).
describe('--cors-origin', () => {
  it('answers allowed origins on downloads and preflights, and no others', async () => {
    const allowed = 'https://app.example.test';
    const own = await ownEmulator({ corsOrigins: [allowed] });
    try {
      const client = storageClient(own.emulator.url);
      await client.createBucket('cors-config');
      await client
        .bucket('cors-config')
        .file('page.html')
        .save('<p>hi</p>', { resumable: false, metadata: { contentType: 'text/html' } });
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

  it('allows the headers upload and download clients send, and no others a preflight asks for', async () => {
    const allowed = 'https://app.example.test';
    const own = await ownEmulator({ corsOrigins: [allowed] });
    try {
      const url = `${own.emulator.url}/upload/storage/v1/b/cors-headers/o?uploadType=resumable&name=a.bin`;
      const preflight = (headers: string) =>
        fetch(url, {
          method: 'OPTIONS',
          headers: { Origin: allowed, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': headers },
        });
      const allowList = async (headers: string) => {
        const res = await preflight(headers);
        expect(res.status).toBe(200);
        return (res.headers.get('access-control-allow-headers') as string).split(',').map((name) => name.trim().toLowerCase());
      };

      const clientHeaders = [
        'content-range',
        'content-type',
        'range',
        'x-goog-hash',
        'x-upload-content-type',
        'x-upload-content-length',
        'x-goog-resumable',
        'x-goog-content-length-range',
        'x-goog-api-client',
        'x-goog-meta-owner',
      ];
      // Asked for in any letter case, as browsers lower-case them and other clients may not.
      const asked = await allowList('Content-Range,X-GOOG-RESUMABLE,x-Upload-Content-Type');
      for (const header of ['content-range', 'x-goog-resumable', 'x-upload-content-type']) expect(asked).toContain(header);
      const all = await allowList(clientHeaders.join(','));
      for (const header of clientHeaders) expect(all).toContain(header);

      const strangers = await allowList('content-type, x-evil, authorization, x-goog-meta-');
      expect(strangers).toContain('content-type');
      for (const header of ['x-evil', 'authorization', 'x-goog-meta-']) expect(strangers).not.toContain(header);
    } finally {
      await own.cleanup();
    }
  });
});
