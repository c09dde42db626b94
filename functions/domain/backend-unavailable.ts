/** Firestore, Cloud Storage or Pub/Sub did not answer in time, or could not be reached. */
export class BackendUnavailable extends Error {
  constructor(
    readonly backend: 'firestore' | 'storage' | 'pubsub',
    readonly cause?: unknown,
    /**
     * When the caller stopped waiting: the call itself, still under way. Its
     * effect (a write, a session) may yet land, so whoever made it undoes it
     * once this settles.
     */
    readonly late?: Promise<unknown>,
  ) {
    super(`${backend} unavailable`);
  }
}
