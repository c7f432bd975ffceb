// `rlab run --defence trades --trades-beta 6 --eps 0.3 --attack-steps 40 --out DIR` through the real binary: the base
// run and a TRADES run train on the engine worker, each recording its complete defence, and --out gets one TF.js
// model folder per run named by its defence.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunDetail } from '../../../../src/shared/contract';
import { runRlab } from './rlab-process';

let home: string;
beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'rlab-defence-e2e-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('rlab run --defence', () => {
  it('trains standard + TRADES with the flags on its fields and writes one model folder per defence', async () => {
    // a tiny model and one cheap attack, so the 40 inner steps are what the run spends its time on
    const config = path.join(home, 'tiny.json');
    writeFileSync(config, JSON.stringify({ name: 'trades-cli', hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 64 }, data: { trainSize: 192, testSize: 64 }, attacks: [{ attack: 'fgsm', epsilons: [0.1] }] }));
    const out = path.join(home, 'defences');
    const run = await runRlab(home, ['run', '--config', config, '--defence', 'trades', '--trades-beta', '6', '--eps', '0.3', '--attack-steps', '40', '--out', out, '--json'], 400_000);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { runs: RunDetail[]; models: string[] };
    expect(result.models).toEqual(['standard', 'trades']);
    expect(readdirSync(out).sort()).toEqual(['standard', 'trades']);
    for (const folder of result.models) expect(readdirSync(path.join(out, folder))).toContain('model.json');
    const trades = result.runs.find((r) => r.role === 'adv')!;
    expect(trades.config.defence).toEqual({ method: 'trades', norm: 'infinity', epsilon: 0.3, steps: 40, stepSize: 0.01, epsilonRampEpochs: 0, beta: 6 });
    expect(result.runs.find((r) => r.role === 'base')!.config.defence).toEqual({ method: 'standard' });
    const meta = JSON.parse(readFileSync(path.join(out, 'trades', 'metadata.json'), 'utf8')) as { run: { id: string } | null };
    expect(meta.run?.id).toBe(trades.id);
  }, 450_000);
});
