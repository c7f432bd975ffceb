// Test helper: a fingerprint of every file and folder under a path (names, sizes, mtimes, sha256), to prove a command wrote nothing.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, lstatSync, chmodSync } from 'node:fs';
import path from 'node:path';

/** One line per entry, sorted: `path kind size mtime sha256`; any write, even of the same bytes, changes it. */
export function fingerprint(root: string): string[] {
  const lines: string[] = [];
  const walk = (p: string): void => {
    const st = lstatSync(p);
    const rel = path.relative(root, p) || '.';
    if (st.isDirectory()) {
      lines.push(`${rel} dir ${st.mtimeMs} ${(st.mode & 0o777).toString(8)}`);
      for (const name of readdirSync(p).sort()) walk(path.join(p, name));
    } else {
      const hash = st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'link';
      lines.push(`${rel} ${st.isFile() ? 'file' : 'other'} ${st.size} ${st.mtimeMs} ${(st.mode & 0o777).toString(8)} ${hash}`);
    }
  };
  walk(root);
  return lines;
}

/** chmod -R a-w (or u+w back, for clean-up). */
export function setWritable(root: string, writable: boolean): void {
  const walk = (p: string): void => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
    chmodSync(p, writable ? st.mode | 0o200 : st.mode & ~0o222);
  };
  walk(root);
}
