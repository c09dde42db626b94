/** A reason the stack cannot start that the developer can act on: printed as it is, exit 1. */
export class StartupError extends Error {}
