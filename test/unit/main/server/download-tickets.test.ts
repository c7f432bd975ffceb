// One-time download tickets: random, single use, expiring, bounded, and their values discarded exactly once.
import { describe, expect, it } from 'vitest';
import { TICKET_PATTERN, TicketStore } from '../../../../src/main/server/download-tickets';

function store(maxLive = 3) {
  let now = 1_000_000;
  const discarded: string[] = [];
  const s = new TicketStore<string>({ ttlMs: 60_000, maxLive, discard: (v) => discarded.push(v), now: () => now, rememberMs: 600_000 });
  return { s, discarded, advance: (ms: number) => (now += ms) };
}

describe('TicketStore', () => {
  it('mints distinct 128-bit hex tickets that redeem once, then say they were used', () => {
    const { s, discarded } = store();
    const a = s.mint('a');
    const b = s.mint('b');
    expect(a.ticket).toMatch(TICKET_PATTERN);
    expect(a.ticket).not.toBe(b.ticket);
    expect(a.expiresAt).toBe(1_000_000 + 60_000);
    expect(s.redeem(b.ticket)).toEqual({ ok: true, value: 'b' });
    expect(s.redeem(b.ticket)).toEqual({ ok: false, reason: 'used' });
    expect(s.redeem(a.ticket)).toEqual({ ok: true, value: 'a' });
    // a redeemed value belongs to the redeemer: it is never discarded
    s.close();
    expect(discarded).toEqual([]);
  });

  it('expires a ticket at its ttl, discarding its value once, and then says it expired', () => {
    const { s, discarded, advance } = store();
    const t = s.mint('x');
    advance(59_999);
    expect(s.liveCount).toBe(1);
    advance(1);
    s.sweep();
    expect(discarded).toEqual(['x']);
    expect(s.redeem(t.ticket)).toEqual({ ok: false, reason: 'expired' });
    s.sweep();
    expect(discarded).toEqual(['x']);
    // after rememberMs it is just unknown
    advance(600_000);
    expect(s.redeem(t.ticket)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('expires on redeem even when no sweep ran', () => {
    const { s, discarded, advance } = store();
    const t = s.mint('late');
    advance(60_000);
    expect(s.redeem(t.ticket)).toEqual({ ok: false, reason: 'expired' });
    expect(discarded).toEqual(['late']);
  });

  it('answers unknown for guesses, near misses and malformed text', () => {
    const { s } = store();
    const t = s.mint('v');
    const flipped = (t.ticket[0] === 'a' ? 'b' : 'a') + t.ticket.slice(1);
    for (const bad of [flipped, t.ticket.toUpperCase(), `${t.ticket}0`, t.ticket.slice(1), '', '../../etc/passwd', `${t.ticket}/x`, '0'.repeat(32)]) {
      expect(s.redeem(bad)).toEqual({ ok: false, reason: 'unknown' });
    }
    expect(s.redeem(t.ticket)).toEqual({ ok: true, value: 'v' });
  });

  it('refuses to mint beyond maxLive until one is redeemed or expires; close discards the rest', () => {
    const { s, discarded, advance } = store(2);
    const a = s.mint('a');
    s.mint('b');
    expect(s.hasRoom()).toBe(false);
    expect(() => s.mint('c')).toThrow(RangeError);
    s.redeem(a.ticket);
    s.mint('c');
    advance(60_000);
    expect(s.hasRoom()).toBe(true);
    expect(discarded.sort()).toEqual(['b', 'c']);
    s.mint('d');
    s.close();
    expect(discarded.sort()).toEqual(['b', 'c', 'd']);
    expect(s.liveCount).toBe(0);
  });
});
