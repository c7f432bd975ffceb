// One-time, short-lived download tickets: minted for a token-authenticated WebSocket client, redeemed once by a plain
// GET (a browser download cannot send the token in a header, and the token must not go into a URL that logs see).
import { createHash, randomBytes } from 'node:crypto';

/** 128 random bits as 32 lower-case hex characters: what a download URL carries instead of the token. */
export const TICKET_PATTERN = /^[0-9a-f]{32}$/;

export type Redeemed<T> = { ok: true; value: T } | { ok: false; reason: 'unknown' | 'expired' | 'used' };

interface Live<T> {
  value: T;
  expiresAt: number;
}

export interface TicketStoreOptions<T> {
  /** How long a ticket may be redeemed after it is minted. */
  ttlMs: number;
  /** Live tickets at once; minting beyond it throws. */
  maxLive: number;
  /** Called once for each value that leaves the store without being redeemed (expired, or the store closed). */
  discard: (value: T) => void;
  now?: () => number;
  /** How long an expired or used ticket is remembered, so redeeming it again says why it fails; default 10 min. */
  rememberMs?: number;
}

/**
 * Tickets are kept by their SHA-256 digest, never by their text: looking one up then takes the same time whatever
 * part of a guess is right (a Map compares the digests, which say nothing about the ticket).
 */
const keyOf = (ticket: string): string => createHash('sha256').update(ticket, 'utf8').digest('hex');

export class TicketStore<T> {
  private readonly live = new Map<string, Live<T>>();
  /** Digest → when it may be forgotten, and why it is gone. */
  private readonly gone = new Map<string, { until: number; reason: 'expired' | 'used' }>();
  private readonly now: () => number;

  constructor(private readonly opts: TicketStoreOptions<T>) {
    this.now = opts.now ?? Date.now;
  }

  get liveCount(): number {
    this.sweep();
    return this.live.size;
  }

  /** Whether one more ticket may be minted now. */
  hasRoom(): boolean {
    return this.liveCount < this.opts.maxLive;
  }

  /** A fresh ticket for `value`; throws a RangeError when `maxLive` tickets are already waiting. */
  mint(value: T): { ticket: string; expiresAt: number } {
    if (!this.hasRoom()) throw new RangeError(`${this.opts.maxLive} downloads are already waiting to be fetched`);
    const ticket = randomBytes(16).toString('hex');
    const expiresAt = this.now() + this.opts.ttlMs;
    this.live.set(keyOf(ticket), { value, expiresAt });
    return { ticket, expiresAt };
  }

  /** The ticket's value, once: the ticket is used up by this call whatever the caller then does with it. */
  redeem(ticket: string): Redeemed<T> {
    this.sweep();
    if (!TICKET_PATTERN.test(ticket)) return { ok: false, reason: 'unknown' };
    const key = keyOf(ticket);
    const entry = this.live.get(key);
    if (!entry) {
      const g = this.gone.get(key);
      return { ok: false, reason: g ? g.reason : 'unknown' };
    }
    this.live.delete(key);
    this.gone.set(key, { until: this.now() + (this.opts.rememberMs ?? 600_000), reason: 'used' });
    return { ok: true, value: entry.value };
  }

  /** Discards expired tickets' values and forgets old expired/used ones. */
  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.live) {
      if (entry.expiresAt > now) continue;
      this.live.delete(key);
      this.gone.set(key, { until: now + (this.opts.rememberMs ?? 600_000), reason: 'expired' });
      this.opts.discard(entry.value);
    }
    for (const [key, g] of this.gone) if (g.until <= now) this.gone.delete(key);
  }

  /** Discards every live ticket's value. */
  close(): void {
    for (const entry of this.live.values()) this.opts.discard(entry.value);
    this.live.clear();
    this.gone.clear();
  }
}
