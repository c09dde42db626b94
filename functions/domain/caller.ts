/** Who is calling, once their API key and membership are checked. */
export interface Caller {
  principalId: string;
  keyId: string;
}
