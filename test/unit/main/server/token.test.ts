import { describe, expect, it } from 'vitest';
import { generateToken, tokenMatches, tokenProblem } from '../../../../src/main/server/token';

describe('tokens', () => {
  it('are 32 lower-case hex characters and differ each time', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
  });

  it('match only the exact same string', () => {
    const t = generateToken();
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t, t.slice(0, -1))).toBe(false);
    expect(tokenMatches(t, `${t}0`)).toBe(false);
    expect(tokenMatches(t, t.toUpperCase())).toBe(false);
    expect(tokenMatches(t, null)).toBe(false);
    expect(tokenMatches(t, undefined)).toBe(false);
  });

  it('refuse user tokens that are short or not URL-safe', () => {
    expect(tokenProblem('short')).toMatch(/--token must be 16–256 characters/);
    expect(tokenProblem('has space in it 1234')).not.toBeNull();
    expect(tokenProblem('a-perfectly_fine.token~1')).toBeNull();
  });
});
