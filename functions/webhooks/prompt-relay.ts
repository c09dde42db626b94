import type { BackgroundWork } from '../domain/background-work';

/** What a function needs to relay the events its change committed without waiting for the catch-up. */
export interface PromptRelay {
  background: BackgroundWork;
  /** Relays the pending events of one organization, or of every one. */
  relay: (organizationId?: string) => Promise<unknown>;
}

/**
 * Starts relaying as tracked background work, so the answer does not wait
 * for it and a shutdown does; a failure is reported, and the scheduled
 * catch-up relays what it left.
 */
export function relaySoon(prompt: PromptRelay | undefined, organizationId?: string): void {
  if (prompt) void prompt.background.add('relay events', prompt.relay(organizationId));
}
