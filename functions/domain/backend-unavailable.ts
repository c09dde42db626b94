/** Firestore or Cloud Storage did not answer in time, or could not be reached. */
export class BackendUnavailable extends Error {
  constructor(
    readonly backend: 'firestore' | 'storage',
    readonly cause?: unknown,
  ) {
    super(`${backend} unavailable`);
  }
}
