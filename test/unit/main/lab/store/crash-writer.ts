// Child process for crash.test.ts: writes epochs to a store in a tight loop until it is killed.
// Prints "run <id>" once, then "epoch <n>" after each committed recordEpoch, so the parent knows what must survive.
import { ExperimentConfigSchema } from '../../../../../src/shared/schemas';
import { openStore } from '../../../../../src/main/lab/store';
import { runConfigFor } from './helpers';

const file = process.argv[2];
if (!file) throw new Error('usage: crash-writer.ts <database file>');
const store = openStore(file);
const input = { name: 'crash', hparams: { epochs: 1000 } };
const { runs } = store.createExperiment(ExperimentConfigSchema.parse(input), [{ role: 'adv', name: 'crash adv', config: runConfigFor(input, 'adv') }]);
const runId = runs[0].id;
store.setRunStatus(runId, 'running');
process.stdout.write(`run ${runId}\n`);
for (let epoch = 0; epoch < 1000; epoch++) {
  const points = Array.from({ length: 50 }, (_, batch) => ({ epoch, batch, step: epoch * 50 + batch, metrics: { loss: 1 / (batch + 1), accuracy: batch / 50 } }));
  store.recordEpoch(runId, epoch, { loss: 1 / (epoch + 1) }, 5, points);
  // a per-example mask and a test subset, so every commit also rewrites the run's headline
  const correct = Math.max(1, 90 - epoch);
  const mask = Uint8Array.from({ length: 100 }, (_, i) => (i < correct ? 1 : 0));
  const subset = { dataset: 'mnist-sample', splitSeed: 0, size: 100, indicesHash: '00112233aabbccdd' };
  store.recordEvaluation({ runId, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.2, steps: 1, stepSize: 0.2, restarts: 1, randomStart: false, accuracy: correct / 100, perClassAccuracy: new Array(10).fill(0.5), count: 100, mask, subset });
  process.stdout.write(`epoch ${epoch}\n`);
}
store.close();
