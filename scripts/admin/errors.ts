/** Failures the CLI turns into its documented exit codes; any other error exits 1. */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Bad arguments or usage: exit 2. */
export class UsageError extends AdminError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** An unknown organization, member or key: exit 3. */
export class NotFoundError extends AdminError {
  constructor(message: string) {
    super(message, 3);
  }
}

/** The document is there already: exit 4. */
export class AlreadyExistsError extends AdminError {
  constructor(message: string) {
    super(message, 4);
  }
}

/** A valid request the current state forbids (e.g. resuming a revoked key): exit 1. */
export class RefusedError extends AdminError {
  constructor(message: string) {
    super(message, 1);
  }
}
