import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseToken, readTokenFile, TOKEN_ENV } from '../../../../src/main/server/token-source';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tokenFile(content: string, mode = 0o600): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'rlab-token-'));
  dirs.push(d);
  const f = path.join(d, 'token');
  writeFileSync(f, content);
  chmodSync(f, mode);
  return f;
}

describe('readTokenFile', () => {
  it('reads a user-only file and drops the trailing newline', () => {
    expect(readTokenFile(tokenFile('a-token-from-a-file-01\n'))).toBe('a-token-from-a-file-01');
  });

  it.skipIf(process.platform === 'win32')('refuses a file other users can read, saying how to fix it', () => {
    const f = tokenFile('a-token-from-a-file-01\n', 0o644);
    expect(() => readTokenFile(f)).toThrow(`--token-file ${f} can be read by other users (mode 644); make it user-only with \`chmod 600 ${f}\``);
  });

  it('refuses a missing file, a folder and a large file without quoting what they hold', () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'rlab-token-'));
    dirs.push(d);
    expect(() => readTokenFile(path.join(d, 'nope'))).toThrow('no such file');
    mkdirSync(path.join(d, 'dir'), { mode: 0o700 });
    expect(() => readTokenFile(path.join(d, 'dir'))).toThrow('is not a regular file');
    const big = tokenFile(`root:x:0:0${'z'.repeat(10_000)}`);
    let message = '';
    try {
      readTokenFile(big);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('10010 bytes');
    expect(message).not.toContain('root:x');
  });
});

describe('chooseToken', () => {
  it('takes --token, then --token-file, then RLAB_TOKEN, else leaves it to be generated', () => {
    expect(chooseToken({ flag: 'flag-token-0123456789', env: { [TOKEN_ENV]: 'env-token-0123456789' } })).toEqual({ token: 'flag-token-0123456789', source: '--token' });
    expect(chooseToken({ file: tokenFile('file-token-0123456789\n'), env: { [TOKEN_ENV]: 'env-token-0123456789' } })).toEqual({ token: 'file-token-0123456789', source: '--token-file' });
    expect(chooseToken({ env: { [TOKEN_ENV]: 'env-token-0123456789' } })).toEqual({ token: 'env-token-0123456789', source: TOKEN_ENV });
    expect(chooseToken({ env: { [TOKEN_ENV]: '' } })).toEqual({ token: undefined, source: 'generated' });
  });

  it('refuses both flags, and weak tokens naming where they came from without quoting them', () => {
    expect(() => chooseToken({ flag: 'flag-token-0123456789', file: '/x' })).toThrow('give either --token or --token-file, not both');
    expect(() => chooseToken({ env: { [TOKEN_ENV]: 'short' } })).toThrow(/^RLAB_TOKEN must be 16–256 characters .* \(got 5 characters\)$/);
    expect(() => chooseToken({ file: tokenFile('secret words with spaces\n') })).toThrow(/^the token in --token-file must be 16–256 characters .* \(got 24 characters\)$/);
  });
});
