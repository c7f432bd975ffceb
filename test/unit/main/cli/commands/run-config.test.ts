// `rlab run --config` through the real binary: `rlab show <exp_id> --json` of an experiment runs again as the same
// experiment, and TensorFlow's start-up lines reach the terminal only with --verbose.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExperimentDetail, type RunSummary } from '../../../../../src/shared/contract';
import { runRlab } from '../rlab-process';

let home: string;
beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'rlab-run-config-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

// a config as a person writes one: defaults left out, one cheap attack, a single tiny base model
const CONFIG = {
  name: 'round trip',
  hparams: { convFilters: [4], numFcUnits: [8], epochs: 1 },
  data: { trainSize: 64, testSize: 32 },
  runs: ['base'],
  attacks: [{ attack: 'fgsm', epsilons: [0.1] }],
  seed: 4,
  tags: ['rt'],
  notes: 'written by hand',
};
// TF prints these at load when its log level lets it (level 0); the lab drops them unless --verbose
const STARTUP = /cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized|All log messages before absl::InitializeLog/;

async function show(id: string): Promise<ExperimentDetail> {
  const r = await runRlab(home, ['show', id, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ExperimentDetail;
}

describe('rlab run --config', () => {
  it('runs a config file; its `rlab show --json` runs again as the same experiment; start-up lines only with --verbose', async () => {
    const file = path.join(home, 'exp.json');
    writeFileSync(file, JSON.stringify(CONFIG));
    const env = { TF_CPP_MIN_LOG_LEVEL: '0' };
    const first = await runRlab(home, ['run', '--config', file, '--json'], 240_000, env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(STARTUP);
    expect(first.stderr).toMatch(/^base run_\w+ completed/m);
    const one = await show((JSON.parse(first.stdout) as { experiment: { id: string } }).experiment.id);
    expect(one.config).toMatchObject({ ...CONFIG, hparams: { ...CONFIG.hparams, kernelSize: 3 }, seeds: [4] });

    const record = path.join(home, 'shown.json');
    writeFileSync(record, JSON.stringify(one, null, 2));
    const second = await runRlab(home, ['--verbose', 'run', '--config', record, '--json'], 240_000, env);
    expect(second.code, second.stderr).toBe(0);
    const two = await show((JSON.parse(second.stdout) as { experiment: { id: string } }).experiment.id);
    expect(two.id).not.toBe(one.id);
    expect(two.config).toEqual(one.config);
    expect(two.runs.map((r) => [r.name, r.role, r.seed, r.config])).toEqual(one.runs.map((r) => [r.name, r.role, r.seed, r.config]));
    // same seed, data and engine: the same numbers
    expect(two.runs.map((r) => r.cleanAccuracy)).toEqual(one.runs.map((r) => r.cleanAccuracy));
    if (two.runs[0]!.engine?.backend === 'tensorflow') expect(second.stderr).toMatch(STARTUP);
    else console.log(`start-up lines with --verbose not checked: the engine is ${two.runs[0]!.engine?.backend ?? 'unknown'}, not native TensorFlow`);
  }, 500_000);

  it('names the file and the field path when the service refuses a field of the file, storing nothing', async () => {
    const file = path.join(home, 'needs-mnist.json');
    writeFileSync(file, JSON.stringify({ config: { ...CONFIG, data: { ...CONFIG.data, dataset: { kind: 'fashion-mnist' } } } }));
    const before = JSON.parse((await runRlab(home, ['ls', '--json'])).stdout) as RunSummary[];
    const r = await runRlab(home, ['run', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^rlab run: --config ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: config\\.data\\.dataset "fashion-mnist" is not downloaded yet: .*\`rlab data download fashion-mnist\``));
    expect(JSON.parse((await runRlab(home, ['ls', '--json'])).stdout)).toEqual(before);
  }, 120_000);
});
