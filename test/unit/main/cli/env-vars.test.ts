// Every RLAB_* variable the code reads is in the one table, which `rlab help` prints and the README lists.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../../../src/main/cli/env-vars';
import { runCli } from '../../../../src/main/cli/main';
import { captureContext } from './test-context';

const root = path.resolve(__dirname, '../../../..');
const SKIP = new Set(['node_modules', 'out', '.git', 'test-results', '.venv', 'playwright-report']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(ts|mts|mjs|cjs|js|svelte|sh|py)$/.test(name) || name === 'run' ? [p] : [];
  });
}

/**
 * Names read as environment variables: env.X, env['X'], os.environ.get("X"), ${X…} in shell, or a quoted 'X' / `X=…`
 * (a constant naming the variable); a quoted prefix such as 'RLAB_BENCH_RESULT ' (an output marker) is not one.
 */
function readNames(): Map<string, string> {
  const found = new Map<string, string>();
  const sources = [...['src', 'bin', 'scripts', 'test', 'bench', '.ci'].flatMap((d) => files(path.join(root, d))), ...['electron.vite.config.ts', 'playwright.config.ts', 'vitest.config.ts'].map((f) => path.join(root, f))];
  for (const file of sources) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/(?:env\.|env\[['"]|environ\.get\(["']|\$\{)(RLAB_[A-Z0-9_]+)|['"`](RLAB_[A-Z0-9_]+)(?=['"`=])/g)) {
      const name = (m[1] ?? m[2])!;
      if (!found.has(name)) found.set(name, path.relative(root, file));
    }
  }
  return found;
}

describe('RLAB_* environment variables', () => {
  const table = ENV_VARS.map((v) => v.name);
  const read = readNames();

  it('lists every variable the code reads, each once, and none it does not read', () => {
    expect(new Set(table).size).toBe(table.length);
    const missing = [...read].filter(([name]) => !table.includes(name)).map(([name, file]) => `${name} (read in ${file})`);
    expect(missing, 'add them to src/main/cli/env-vars.ts and the README').toEqual([]);
    expect(table.filter((name) => !read.has(name))).toEqual([]);
  });

  it('rlab help prints the whole table', async () => {
    const ctx = captureContext();
    expect(await runCli(['help'], ctx)).toBe(0);
    for (const v of ENV_VARS) expect(ctx.stdout()).toMatch(new RegExp(`^ {4}${v.name} +${v.help.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it('the README lists the same variables in its table', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Environment variables'));
    const rows = [...section.matchAll(/^\| `(RLAB_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual([...table].sort());
  });
});
