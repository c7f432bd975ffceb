// Resource limits of `rlab serve`: what one client, authenticated or not, can make the server hold.

export const SERVER_LIMITS = {
  /** Request line + headers of one HTTP request or upgrade; Node answers 431 beyond it. */
  maxHeaderBytes: 8 * 1024,
  /** Open TCP connections at once; beyond it new ones are dropped on accept. */
  maxConnections: 256,
  /** Time to send the complete headers (slow-loris). */
  headersTimeoutMs: 10_000,
  /** Time to send one complete HTTP request. */
  requestTimeoutMs: 30_000,
  /**
   * Largest frame read from a connection refused for its token: it gets a 4401 close and nothing else, so anything
   * bigger than a close frame is cut off (1009) without being buffered.
   */
  refusedMaxPayloadBytes: 1024,
  /** A refused connection that does not finish the closing handshake in this time is cut off. */
  refusedCloseGraceMs: 1_000,
  /** Replies and events waiting to be sent to one client; past this it is not reading and is disconnected. */
  maxBufferedBytes: 8 * 1024 * 1024,
  /** A download ticket can be redeemed (once) within this time of being minted. */
  downloadTtlMs: 60_000,
  /** Largest model download (a store-only ZIP has no ZIP64 here, so it must stay below 4 GiB anyway). */
  maxDownloadBytes: 512 * 1024 * 1024,
  /** Downloads being prepared or waiting to be fetched at once; each holds a temporary export folder. */
  maxLiveDownloads: 4,
} as const;
