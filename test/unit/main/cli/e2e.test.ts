// End to end through the real binary: `node bin/rlab.mjs ...` in child processes, with RLAB_HOME in a tmp dir.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunDetail, type RunSummary } from '../../../../src/shared/contract';
import { RLAB_BIN, runRlab, type RlabResult } from './rlab-process';
import { connect } from '../server/ws-test-client';

const TINY = ['--preset', 'quick', '--train-size', '256', '--test-size', '128', '--epochs', '1', '--conv-filters', '4', '--fc-units', '8'];

let home: string;

function rlab(args: string[], timeoutMs = 120_000): Promise<RlabResult> {
  return runRlab(home, args, timeoutMs);
}

function runFolders(): string[] {
  const dir = path.join(home, 'runs');
  return existsSync(dir) ? readdirSync(dir) : [];
}

beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'rlab-e2e-'));
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('rlab binary', () => {
  it('refuses bad input with exit 2 and one line, storing nothing', async () => {
    const file = path.join(home, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string[], string][] = [
      [['run', ...TINY, '--adv-step-size', '0'], 'rlab run: --adv-step-size must be > 0 (got 0)'],
      [['run', ...TINY, '--out', file], `rlab run: --out must be a new or empty folder; ${file} is an existing file`],
      // the service's checks (the split against the dataset's size), said in flag terms
      [['run', '--preset', 'quick', '--train-size', '20000', '--out', path.join(home, 'never')], 'rlab run: --train-size must be in [1, 9600]: '],
      [['run', ...TINY, '--defence', 'pgd-at', '--trades-beta', '6'], 'rlab run: --trades-beta is a parameter of trades; the defences here are pgd-at (give --defence trades)'],
      [['run', ...TINY, '--defence', 'trades', '--trades-beta', '-1'], 'rlab run: --trades-beta must be ≥ 0 (got -1)'],
      [['run', '--bogus'], 'rlab run: unknown flag --bogus for "rlab run"; valid flags: --preset, --config, --name, --model'],
    ];
    for (const [args, line] of cases) {
      const r = await rlab(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.startsWith(line), r.stderr).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(path.join(home, 'never'))).toBe(false);
    expect(runFolders()).toEqual([]);
    const ls = await rlab(['ls', '--json']);
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout)).toEqual([]);
  });

  it('trains a tiny base + adv pair, prints the table, writes --out, then show / eval / rm work on it', async () => {
    const out = path.join(home, 'out');
    const run = await rlab(['run', ...TINY, '--out', out], 280_000);
    expect(run.stderr).toMatch(/base {2}\[[#.]{24}\] {2}epoch 1\/1 batch \d+\/8/);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^model\s+clean\s+FGSM ε0\.2 \(transfer from base\)\s+FGSM ε0\.2 white-box\s+PGD-20 ε0\.2 white-box\s+AutoAttack ε0\.2$/);
    expect(lines[2]).toMatch(/^base(\s+\d+\.\d\d%){5}$/);
    expect(lines[3]).toMatch(/^adv(\s+\d+\.\d\d%){5}$/);
    // --out: one TF.js model folder per run, named by its defence (the base run's is standard, NSL's adv), by the lab's export
    expect(readdirSync(out).sort()).toEqual(['adv', 'standard']);
    for (const folder of ['standard', 'adv']) {
      expect(readdirSync(path.join(out, folder)).sort()).toEqual(expect.arrayContaining(['model.json', 'metadata.json']));
      const meta = JSON.parse(readFileSync(path.join(out, folder, 'metadata.json'), 'utf8')) as { run: { role: string } | null };
      expect(meta.run?.role).toBe(folder === 'standard' ? 'base' : 'adv');
    }
    expect(run.stdout).toContain(`wrote 2 TF.js models to ${out}: standard, adv`);

    const ls = await rlab(['ls', '--json']);
    const runs = JSON.parse(ls.stdout) as RunSummary[];
    expect(runs.map((r) => [r.role, r.status]).sort()).toEqual([
      ['adv', 'completed'],
      ['base', 'completed'],
    ]);
    const adv = runs.find((r) => r.role === 'adv')!;
    const base = runs.find((r) => r.role === 'base')!;

    const show = await rlab(['show', adv.id, '--json']);
    const detail = JSON.parse(show.stdout) as RunDetail;
    expect(detail.config.hparams).toMatchObject({ convFilters: [4], numFcUnits: [8], epochs: 1 });
    expect(detail.evaluations.some((e) => e.attack === 'fgsm' && e.sourceRunId === base.id)).toBe(true);

    const ev = await rlab(['eval', base.id, '--attack', 'pgd', '--eps', '0.05,0.1', '--steps', '3', '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    const evals = (JSON.parse(ev.stdout) as { evaluations: { attack: string; epsilon: number; steps: number }[] }).evaluations;
    expect(evals.map((e) => [e.attack, e.epsilon, e.steps]).sort()).toEqual([
      ['pgd', 0.05, 3],
      ['pgd', 0.1, 3],
    ]);

    const rm = await rlab(['rm', adv.id]);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toBe(`deleted ${adv.id}\n`);
    expect((JSON.parse((await rlab(['ls', '--json'])).stdout) as RunSummary[]).map((r) => r.id)).toEqual([base.id]);
    const missing = await rlab(['show', adv.id]);
    expect(missing.code).toBe(2);
  }, 400_000);

  it('a run cancelled with Ctrl-C exits 130, and rlab resume finishes it', async () => {
    const child = spawn(process.execPath, [RLAB_BIN, 'run', '--preset', 'quick', '--conv-filters', '4', '--fc-units', '8', '--test-size', '128', '--runs', 'base', '--name', 'to-resume', '--epochs', '2', '--train-size', '4000'], {
      env: { ...process.env, RLAB_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (/epoch 1\/2 batch/.test(stderr)) child.kill('SIGINT');
    });
    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain('cancelling');
    const runs = JSON.parse((await rlab(['ls', '--json', '--search', 'to-resume'])).stdout) as RunSummary[];
    expect(runs.map((r) => r.status)).toEqual(['cancelled']);

    const resumed = await rlab(['resume', runs[0]!.id, '--json'], 280_000);
    expect(resumed.code, resumed.stderr).toBe(0);
    const detail = JSON.parse(resumed.stdout) as RunDetail;
    expect(detail).toMatchObject({ status: 'completed', epochsDone: 2 });
    expect(detail.evaluations.map((e) => e.attack)).toContain('pgd');
  }, 400_000);

  it('serves the lab over WebSocket with the printed token and stops on SIGINT', async () => {
    const child = spawn(process.execPath, [RLAB_BIN, 'serve', '--port', '0'], { env: { ...process.env, RLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed; stderr: ${stderr}`)), 60_000);
        child.stdout.on('data', (d) => {
          stdout += String(d);
          const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      const u = new URL(url);
      const client = await connect(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`);
      const reply = await client.call(1, 'listRuns', {});
      expect(reply.ok).toBe(true);
      client.ws.close();
      const intruder = await connect(`ws://${u.host}/ws?token=${'0'.repeat(32)}`);
      expect((await intruder.closed).code).toBe(4401);
      await new Promise((r) => setTimeout(r, 100));
      expect(stderr).toContain('refused WebSocket');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
