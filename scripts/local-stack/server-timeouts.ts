/** What a client may hold of a local function server. The framework's CLI sets none, so a client that
 * sends its headers or body slowly keeps a connection (and the socket) for minutes. The functions take
 * only small JSON bodies (bytes go straight to Cloud Storage), so these leave honest clients room. */
export const SERVER_TIMEOUTS = {
  /** the whole head of a request */
  headersTimeout: 10_000,
  /** the whole request, body included */
  requestTimeout: 30_000,
  /** an idle connection between requests */
  keepAliveTimeout: 5_000,
  /** how often those are checked (Node's default, 30 s, lets a slow client hold on up to 30 s more) */
  connectionsCheckingInterval: 1_000,
} as const;
