import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../../src/main/cli/main';
import { captureContext } from './test-context';
import { PRESET_NAMES } from '../../../../src/shared/presets';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'rlab-cli-'));
  dirs.push(d);
  return d;
}

async function cli(...argv: string[]) {
  const ctx = captureContext();
  const code = await runCli(argv, ctx);
  return { code, out: ctx.stdout(), err: ctx.stderr(), opened: ctx.opened() };
}

describe('rlab help', () => {
  it('lists every command and the exit codes', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      for (const name of ['run', 'ls', 'show', 'eval', 'import-model', 'data', 'export', 'report', 'rm', 'resume', 'serve', 'doctor', 'version']) expect(r.out).toContain(`  ${name}`);
      expect(r.out).toContain('0 ok, 1 failed, 2 bad input');
    }
  });

  it('shows one command with its flags, via help <cmd> or <cmd> --help', async () => {
    const a = await cli('help', 'run');
    const b = await cli('run', '--help');
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.out).toContain('--adv-grad-norm l2|l1|infinity');
    expect(b.opened).toBe(0);
  });

  it('refuses an unknown command with exit 2', async () => {
    const r = await cli('trian');
    expect(r.code).toBe(2);
    expect(r.err).toBe('rlab: unknown command "trian"; commands: run, sweep, ls, show, eval, import-model, data, export, report, rm, resume, watch, serve, worker, doctor, version, help\n');
  });
});

describe('bad input exits 2 with one line and never opens the lab', () => {
  it.each([
    // `rlab run`'s ranges are the service's to check (run-validation.test.ts); only text that is no value stops here
    [['run', '--preset', 'huge'], `rlab run: --preset must be one of ${PRESET_NAMES.join(', ')} (got "huge")`],
    [['run', '--epochs', 'many'], 'rlab run: --epochs must be a number (got "many")'],
    [['run', 'extra'], 'rlab run: "rlab run" takes no arguments; unexpected "extra"'],
    [['run', '--defence', 'pgd-at', '--mart-beta', '6'], 'rlab run: --mart-beta is a parameter of mart; the defences here are pgd-at (give --defence mart)'],
    [['ls', '--status', 'done'], 'rlab ls: --status must be one of "queued", "running", "completed", "failed", "cancelled", "interrupted" (got "done")'],
    [['ls', '--limit', '0'], 'rlab ls: --limit must be ≥ 1 (got 0)'],
    [['show'], 'rlab show: "rlab show" needs <id>'],
    [['show', 'abc'], 'rlab show: <id> must be a run id (run_…) or an experiment id (exp_…) (got "abc")'],
    [['rm', 'abc'], 'rlab rm: <id> must be a run id (run_…) or an experiment id (exp_…) (got "abc")'],
    [['eval', 'run_a1', '--eps', '0.1'], 'rlab eval: --attack is required: one of fgsm, pgd, pgd-cw, apgd-ce, apgd-t, square, autoattack'],
    [['eval', 'run_a1', '--attack', 'fgsm'], 'rlab eval: --eps is required: one or more radii in [0, 1], e.g. --eps 0.05,0.1'],
    [['eval', 'run_a1', '--attack', 'pgd', '--eps', '0.1,2'], 'rlab eval: --eps must be in [0, 1] for the infinity norm (got 2)'],
    [['eval', 'run_a1', '--attack', 'cw', '--eps', '0.1'], 'rlab eval: --attack must be one of "fgsm", "pgd", "pgd-cw", "apgd-ce", "apgd-t", "square", "autoattack" (got "cw")'],
    [['eval', 'run_a1', '--attack', 'pgd', '--eps', '0.1', '--norm', 'l1'], 'rlab eval: --norm must be one of "infinity", "l2" (got "l1")'],
    [['eval', 'run_a1', '--attack', 'pgd', '--eps', '0.1', '--source', 'base'], 'rlab eval: --source must be a run id like run_ab12cd (got "base")'],
    [['eval', 'nope', '--attack', 'pgd', '--eps', '0.1'], 'rlab eval: <id> must be a run id like run_ab12cd (got "nope")'],
    [['resume', 'exp_1'], 'rlab resume: <run_id> must be a run id like run_ab12cd (got "exp_1")'],
    [['serve', '--port', '70000'], 'rlab serve: --port must be in 0–65535 (got 70000)'],
    [['serve', '--token', 'short'], "rlab serve: --token must be 16–256 characters of A-Z, a-z, 0-9, '.', '_', '~' or '-' (got 5 characters)"],
  ])('%j', async (argv, line) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${line}\n`);
    expect(r.out).toBe('');
    expect(r.opened).toBe(0);
  });

  it.each(['run', 'ls', 'show', 'eval', 'import-model', 'export', 'report', 'rm', 'resume', 'serve', 'doctor'])('rlab %s names an unknown flag and lists the valid ones', async (name) => {
    const r = await cli(name, 'run_a1', '--frobnicate', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^rlab ${name}: unknown flag --frobnicate for "rlab ${name}"; valid flags: --`));
    expect(r.opened).toBe(0);
  });

  it('rlab import-model refuses a missing name, a missing path and bad flags without opening the lab', async () => {
    const cases: [string[], string][] = [
      [['import-model', 'm.json'], 'rlab import-model: --name is required: the name of the new run, e.g. --name my-model'],
      [['import-model', '--name', 'x'], 'rlab import-model: "rlab import-model" needs <model.json>'],
      [['import-model', 'm.json', '--name', 'x', '--test-size', '0'], 'rlab import-model: --test-size must be ≥ 1'],
    ];
    for (const [args, start] of cases) {
      const r = await cli(...args);
      expect(r.code, r.err).toBe(2);
      expect(r.err.startsWith(start), r.err).toBe(true);
      expect(r.opened).toBe(0);
    }
  });

  it('rlab run --out refuses an existing file and a non-empty folder, writing nothing', async () => {
    const dir = tmp();
    const file = path.join(dir, 'taken.txt');
    writeFileSync(file, 'x');
    const r = await cli('run', '--preset', 'quick', '--out', file);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`rlab run: --out must be a new or empty folder; ${file} is an existing file\n`);
    mkdirSync(path.join(dir, 'full'));
    writeFileSync(path.join(dir, 'full', 'a'), 'x');
    const r2 = await cli('run', '--out', path.join(dir, 'full'));
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/--out must be a new or empty folder; .* is not empty/);
    expect(readdirSync(dir).sort()).toEqual(['full', 'taken.txt']);
    expect(r.opened + r2.opened).toBe(0);
  });
});
