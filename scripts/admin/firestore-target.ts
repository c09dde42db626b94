import { acceptsConnection } from '../processes';
import type { Firestore } from '@google-cloud/firestore';
import { AdminError, UsageError } from './errors';
import { GrpcStatus, hasGrpcStatus } from './grpc-status';

/** Which Firestore the CLI talks to: the emulator FIRESTORE_EMULATOR_HOST names, or the real one. */
export interface FirestoreTarget {
  projectId: string | undefined;
  emulatorHost: string | undefined;
}

const PROBE_TIMEOUT_MS = 3000;

export function resolveTarget(env: NodeJS.ProcessEnv, projectFlag: string | undefined): FirestoreTarget {
  return {
    projectId: projectFlag ?? (env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || undefined),
    emulatorHost: env.FIRESTORE_EMULATOR_HOST || undefined,
  };
}

function where(target: FirestoreTarget): string {
  return target.emulatorHost
    ? `${target.emulatorHost} (FIRESTORE_EMULATOR_HOST)`
    : `firestore.googleapis.com (project ${target.projectId})`;
}

/** Opens a client after making sure an emulator answers at all: the client itself
 * would retry a refused connection for most of a minute before saying so. */
export async function openFirestore(target: FirestoreTarget): Promise<Firestore> {
  if (!target.emulatorHost && !target.projectId) {
    throw new UsageError(
      'no Firestore to use: set FIRESTORE_EMULATOR_HOST=host:port for an emulator (npm start prints it), or GOOGLE_CLOUD_PROJECT=P (or --project P) for Google Cloud',
    );
  }
  if (target.emulatorHost) {
    if (!(await accepts(target.emulatorHost))) {
      throw new AdminError(`Firestore unreachable: no emulator answers at ${where(target)}`, 1);
    }
    // Against the emulator, skip google-auth's probe of the GCE metadata server (a second of delay and a warning).
    process.env.METADATA_SERVER_DETECTION ??= 'none';
  }
  // Loaded only now: the client library takes longer to load than a usage error or --help takes to print.
  const { Firestore: Client } = await import('@google-cloud/firestore');
  return new Client(target.projectId ? { projectId: target.projectId } : {});
}

/** Rewrites a connection failure as one line that names the Firestore tried. */
export function explainFirestoreError(err: unknown, target: FirestoreTarget): AdminError | undefined {
  if (hasGrpcStatus(err, GrpcStatus.UNAVAILABLE) || hasGrpcStatus(err, GrpcStatus.DEADLINE_EXCEEDED)) {
    return new AdminError(`Firestore unreachable at ${where(target)}: ${firstLine(err)}`, 1);
  }
  return undefined;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

function accepts(hostPort: string): Promise<boolean> {
  const at = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(hostPort.slice(at + 1));
  if (at < 0 || !Number.isInteger(port)) return Promise.resolve(false);
  return acceptsConnection(host, port, PROBE_TIMEOUT_MS);
}
