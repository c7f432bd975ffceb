// Access tokens for `rlab serve`: random 32-hex-character secrets, compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,256}$/;

/** 128 random bits as 32 lower-case hex characters. */
export function generateToken(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Why a user-chosen token is unusable, or null when it is fine. Tokens travel in URLs, so they are limited to
 * URL-safe characters, and short ones are refused because anything on the machine may try to guess them.
 */
export function tokenProblem(token: string, source = '--token'): string | null {
  if (TOKEN_PATTERN.test(token)) return null;
  return `${source} must be 16–256 characters of A-Z, a-z, 0-9, '.', '_', '~' or '-' (got ${token.length} characters)`;
}

/**
 * Constant-time comparison, so the time to refuse says nothing about how much of a guess was right. Both sides are
 * hashed first: equal-length digests make the comparison's time independent of the guess's length too.
 */
export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}
