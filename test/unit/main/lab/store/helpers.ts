// Shared set-up for the store tests: temporary lab folders, experiment configs, and file fingerprints.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunConfig } from '../../../../../src/shared/contract';
import { ExperimentConfigSchema, type ExperimentConfigInput, type RunRole } from '../../../../../src/shared/schemas';
import { openStore, type OpenStoreOptions, type Store } from '../../../../../src/main/lab/store';

/** A fresh folder under the OS temp dir; removed by `cleanup`. */
export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-store-'));
}

export function cleanup(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Files in `dir` (names only), sorted. */
export function listDir(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

export function openTemp(dir: string, opts?: OpenStoreOptions): Store {
  return openStore(path.join(dir, 'lab.db'), opts);
}

/** The run config the LabService would derive for a role: the base model trains without the adversarial term. */
export function runConfigFor(input: ExperimentConfigInput, role: RunRole): RunConfig {
  const cfg = ExperimentConfigSchema.parse(input);
  return {
    role,
    hparams: cfg.hparams,
    advReg: role === 'base' ? { ...cfg.advReg, multiplier: 0 } : cfg.advReg,
    data: cfg.data,
    seed: cfg.seed,
    attacks: cfg.attacks,
  };
}

/** Creates an experiment with one run per role and returns the ids. */
export function createExperiment(store: Store, input: ExperimentConfigInput = {}, roles: RunRole[] = ['base', 'adv']) {
  const config = ExperimentConfigSchema.parse(input);
  const created = store.createExperiment(
    config,
    roles.map((role) => ({ role, name: `${config.name} ${role}`, config: runConfigFor(input, role) })),
  );
  return { experimentId: created.experiment.id, runIds: created.runs.map((r) => r.id), created };
}

/** A fixed clock that advances by `stepMs` on each reading, so timestamps are distinct and predictable. */
export function steppingClock(startIso = '2025-01-01T00:00:00.000Z', stepMs = 1000): () => Date {
  let t = Date.parse(startIso);
  return () => {
    const d = new Date(t);
    t += stepMs;
    return d;
  };
}
