/** The gRPC statuses the Firestore adapters tell apart (a Firestore error's numeric `code`): a missing document, a created one that exists, a precondition (update time) that failed. */
export const NOT_FOUND = 5;
export const ALREADY_EXISTS = 6;
export const FAILED_PRECONDITION = 9;
