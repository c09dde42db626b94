/** One part of the local stack, as the supervisor sees it. */
export interface ManagedProcess {
  name: string;
  /** the process group leader, if the part runs as its own process group (killed on a hard exit) */
  pid: number | undefined;
  /** settles with a short reason when the part stops serving, for whatever reason */
  exited: Promise<string>;
  /** an emulator the functions write to: it stops after every part that does not hold data */
  holdsData?: boolean;
  stop(): Promise<void>;
}
