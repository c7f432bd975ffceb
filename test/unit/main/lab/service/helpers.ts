// Shared setup of the service tests: a temporary lab home, tiny experiment configs, and waiting for events.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LabEventName, type LabEvents } from '../../../../../src/shared/contract';
import { type ExperimentConfigInput } from '../../../../../src/shared/schemas';
import { type LabService } from '../../../../../src/main/lab/service/service';

export function tempHome(prefix = 'rlab-service-'): { home: string; remove(): void } {
  const home = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { home, remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** Two tiny runs (base + adv) that train in seconds; attacks as given. */
export function tinyConfig(overrides: Partial<ExperimentConfigInput> = {}): ExperimentConfigInput {
  return {
    name: 'tiny',
    hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 32 },
    advReg: { multiplier: 0.2, advStepSize: 0.05, advGradNorm: 'infinity', clipValueMin: 0, clipValueMax: 1 },
    data: { trainSize: 256, testSize: 128 },
    seed: 3,
    ...overrides,
  };
}

/** The tutorial preset's attack suite: FGSM transfer from base (adv run), FGSM and PGD-20 white-box, all at ε 0.2. */
export const TUTORIAL_SUITE: ExperimentConfigInput['attacks'] = [
  { attack: 'fgsm', epsilons: [0.2], source: 'base' },
  { attack: 'fgsm', epsilons: [0.2] },
  { attack: 'pgd', steps: 20, epsilons: [0.2] },
];

/** Resolves with the first event payload that satisfies `pred`. */
export function waitForEvent<K extends LabEventName>(lab: LabService, event: K, pred: (p: LabEvents[K]) => boolean = () => true, timeoutMs = 120_000): Promise<LabEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = lab.on(event, (p) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}
