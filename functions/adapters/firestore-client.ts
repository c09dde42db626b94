import { Firestore } from '@google-cloud/firestore';

// The RPCs the client reads with as streams; their per-attempt deadline comes from the client config.
const STREAMED = ['BatchGetDocuments', 'RunQuery', 'RunAggregationQuery'];

/**
 * The Firestore client, with every RPC attempt bounded by the backend
 * deadline. By default the client retries a commit for up to 600 s at 60 s an
 * attempt (a batch get waits 300 s), from settings no per-call option
 * reaches, so a call the API already answered 503 for would keep retrying,
 * and could still land, minutes later. A gRPC service config on the channel
 * caps each unary attempt (a commit then fails once with DEADLINE_EXCEEDED,
 * which it does not retry), and the client config caps each streamed read
 * (retried at most five times by the client).
 *
 * The client also makes an OpenTelemetry span for every call unless
 * FIRESTORE_ENABLE_TRACING says off, read as it is built. Nothing here
 * registers a tracer, so the spans went to the no-op one, and making them was
 * 7-25 % of the function's CPU on a 1 MiB direct upload (bench/RESULTS.md,
 * "Stop 25: the direct upload's CPU"): off unless the environment sets it `on`.
 */
export function createFirestore(projectId: string | undefined, backendTimeoutMs: number): Firestore {
  process.env.FIRESTORE_ENABLE_TRACING ??= 'off';
  const timeout = { seconds: Math.floor(backendTimeoutMs / 1000), nanos: (backendTimeoutMs % 1000) * 1_000_000 };
  const serviceConfig = { methodConfig: [{ name: [{ service: 'google.firestore.v1.Firestore' }], timeout }] };
  return new Firestore({
    projectId,
    ignoreUndefinedProperties: true,
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
