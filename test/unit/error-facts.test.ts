import { errorFacts } from '../../functions/http/error-facts';
import { BackendUnavailable } from '../../functions/domain/backend-unavailable';
import { withDeadline } from '../../functions/adapters/deadline';

describe('errorFacts: what a log line keeps of a backend error', () => {
  it("keeps class, code, syscall, errno and the backend's host, never the URL's path, query or message", () => {
    const fetchError = Object.assign(
      new Error(
        'request to http://127.0.0.1:9199/upload/storage/v1/b/bkt/o?name=files%2Forg_a%2Ffile_b%2FBODYMARKER.bin&uploadType=resumable failed, reason: connect ECONNREFUSED 127.0.0.1:9199',
      ),
      { name: 'FetchError', code: 'ECONNREFUSED', errno: 'ECONNREFUSED', syscall: 'connect' },
    );
    const facts = errorFacts(new BackendUnavailable('storage', fetchError));
    expect(facts).toEqual({
      name: 'Error',
      backend: 'storage',
      cause: { name: 'FetchError', code: 'ECONNREFUSED', errno: 'ECONNREFUSED', syscall: 'connect', host: '127.0.0.1:9199' },
    });
    expect(JSON.stringify(facts)).not.toMatch(/BODYMARKER|name=|upload/);
  });

  it('keeps a gRPC status code and an HTTP status, and drops free text posing as a code', () => {
    expect(errorFacts(Object.assign(new Error('1 CANCELLED: Call cancelled'), { code: 1, details: 'secret text' }))).toEqual({
      name: 'Error',
      code: 1,
    });
    expect(
      errorFacts({ code: 'a b c BODYMARKER', response: { status: 503 }, config: { url: 'https://storage.googleapis.com/o?name=x' } }),
    ).toEqual({
      name: 'Object',
      status: 503,
      host: 'storage.googleapis.com',
    });
  });
});

describe('withDeadline', () => {
  it('maps gRPC CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE and socket errors to an outage', async () => {
    for (const code of [1, 2, 4, 8, 14, 'ECONNREFUSED', 'ECONNRESET']) {
      await expect(withDeadline('firestore', 1000, () => Promise.reject(Object.assign(new Error('x'), { code })))).rejects.toBeInstanceOf(
        BackendUnavailable,
      );
    }
    await expect(
      withDeadline('firestore', 1000, () => Promise.reject(Object.assign(new Error('x'), { code: 3 }))),
    ).rejects.not.toBeInstanceOf(BackendUnavailable);
  });

  it('answers at the deadline whatever the call does: a call that never settles, or one that throws at once', async () => {
    await expect(withDeadline('firestore', 20, () => new Promise(() => undefined))).rejects.toBeInstanceOf(BackendUnavailable);
    const throwsAtOnce = (() => {
      throw Object.assign(new Error('x'), { code: 14 });
    }) as () => Promise<never>;
    await expect(withDeadline('firestore', 20, throwsAtOnce)).rejects.toBeInstanceOf(BackendUnavailable);
  });
});
