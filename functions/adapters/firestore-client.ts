import { Firestore } from '@google-cloud/firestore';

// The RPCs the client reads with as streams; their per-attempt deadline comes from the client config.
const STREAMED = ['BatchGetDocuments', 'RunQuery', 'RunAggregationQuery'];
// gRPC's status code for an attempt past its deadline.
const DEADLINE_EXCEEDED = 4;

/**
 * The Firestore client over REST (`preferRest`: HTTP/1.1 and JSON, which
 * starts in less CPU than the gRPC transport), with every RPC attempt bounded
 * by the backend deadline.
 *
 * The REST transport gives an attempt no deadline of its own: google-gax's
 * fallback stub hands the auth client's `fetch` only a cancel signal. So the
 * client's GoogleAuth gets a transporter whose fetch ends each attempt at
 * `backendTimeoutMs` (attemptWithDeadline). Retries stay bounded: gax retries a
 * commit only on RESOURCE_EXHAUSTED and UNAVAILABLE, which a timed-out attempt
 * (DEADLINE_EXCEEDED) or a 429/5xx answer (thrown with its HTTP status, see
 * decodedByGax) does not carry, so a commit the API answered 503 for is not
 * retried minutes later; the client retries a streamed read at most five
 * times, each attempt bounded the same way.
 *
 * The gRPC settings stay for what still goes over gRPC (the client's
 * bidirectional streams, unused here): a service config capping each unary
 * attempt (by default a commit is retried for up to 600 s at 60 s an attempt),
 * and the client config each streamed read.
 */
export function createFirestore(projectId: string | undefined, backendTimeoutMs: number): Firestore {
  const timeout = { seconds: Math.floor(backendTimeoutMs / 1000), nanos: (backendTimeoutMs % 1000) * 1_000_000 };
  const serviceConfig = { methodConfig: [{ name: [{ service: 'google.firestore.v1.Firestore' }], timeout }] };
  return new Firestore({
    projectId,
    ignoreUndefinedProperties: true,
    preferRest: true,
    clientOptions: { transporterOptions: { validateStatus: decodedByGax, fetchImplementation: attemptWithDeadline(backendTimeoutMs) } },
    ...emulatorCredentials(),
    'grpc.service_config': JSON.stringify(serviceConfig),
    clientConfig: {
      interfaces: {
        'google.firestore.v1.Firestore': {
          methods: Object.fromEntries(STREAMED.map((name) => [name, { timeout_millis: backendTimeoutMs }])),
        },
      },
    },
  });
}

/**
 * Over gRPC the client talks to the emulator without credentials; over REST it
 * still asks GoogleAuth for a client, which would look for Application Default
 * Credentials a local run does not have (and the emulator ignores: the client
 * sends it `Authorization: Bearer owner`). An API key is the one credential
 * that needs no token: GoogleAuth then builds its client from the same
 * `clientOptions`, so tests against the emulator run the very deadline path
 * production runs.
 */
function emulatorCredentials(): { apiKey?: string } {
  return process.env.FIRESTORE_EMULATOR_HOST ? { apiKey: 'firestore-emulator' } : {};
}

/**
 * Which answers gaxios hands back to gax rather than throwing. gax decodes an
 * error answer's JSON body into the gRPC status the client's own logic reads
 * (a transaction that lost a race gets 409 ABORTED and is retried by
 * `runTransaction`, as over gRPC); thrown, it would carry only the HTTP status.
 * Overload and server errors (429, 5xx) are thrown, so neither gax nor
 * `runTransaction` retries them (their codes are no gRPC status), whatever
 * their body (a front end's 503 page is no JSON): withDeadline answers 503.
 */
function decodedByGax(status: number): boolean {
  return status < 500 && status !== 429;
}

/**
 * One REST attempt: Node's fetch (gaxios would otherwise import node-fetch, an
 * ES module: more to load on a cold start, and an import() Jest's module
 * registry cannot serve), given up at `ms` the way a gRPC deadline ends a call,
 * with DEADLINE_EXCEEDED, so the client treats it as it does over gRPC. A
 * response body cut off by the deadline fails with fetch's TimeoutError, which
 * withDeadline also counts as an outage.
 */
function attemptWithDeadline(ms: number): typeof fetch {
  return async (url, init) => {
    const deadline = AbortSignal.timeout(ms);
    try {
      return await fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
    } catch (error) {
      if (!deadline.aborted) throw error;
      throw Object.assign(new Error(`Firestore did not answer within ${ms} ms`), { code: DEADLINE_EXCEEDED, cause: error });
    }
  };
}
