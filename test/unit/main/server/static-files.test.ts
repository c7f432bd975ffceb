import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { resolveStaticPath } from '../../../../src/main/server/static-files';

const root = path.resolve('/srv/ui');

describe('resolveStaticPath', () => {
  it('maps / to index.html and files below the root to themselves', () => {
    expect(resolveStaticPath(root, '/')).toEqual({ file: path.join(root, 'index.html'), fallback: true });
    expect(resolveStaticPath(root, '/assets/app.js')).toEqual({ file: path.join(root, 'assets', 'app.js'), fallback: false });
  });

  it('marks extension-less paths for the index.html fallback', () => {
    expect(resolveStaticPath(root, '/runs/run_1')?.fallback).toBe(true);
  });

  it.each(['/../etc/passwd', '/%2e%2e/etc/passwd', '/assets/%2e%2e/%2e%2e/secret', '/a%00b', '/%E0%A4%A', '/..%5c..%5csecret'])('never resolves %s outside the root', (p) => {
    const r = resolveStaticPath(root, p);
    if (r !== null) expect(r.file.startsWith(root + path.sep)).toBe(true);
    else expect(r).toBeNull();
  });

  it('keeps dot-dot inside the root when it does not escape', () => {
    expect(resolveStaticPath(root, '/assets/../index.html')?.file).toBe(path.join(root, 'index.html'));
  });
});
