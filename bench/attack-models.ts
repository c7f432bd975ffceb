// `npx tsx bench/attack-models.ts --out DIR`: trains the models the attack measurements use, with the lab's own
// builders, data split and NSL trainer, and saves each as a TF.js layers model (DIR/<name>/model.json) plus the
// test split's indices (DIR/test-indices.json). Models: the NSL tutorial's base and adversarially regularized CNN
// (adv_step_size 0.2, ∞, multiplier 0.2, no clipping in training, as the tutorial's adv_config) and the same adv
// recipe with neighbours clipped to [0, 1] (the lab's earlier preset). A bench helper: it prints, never asserts.
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { batches } from '../src/main/lab/data/batches';
import { convertMnistPackage } from '../src/main/lab/data/mnist-sample';
import { splitDataset } from '../src/main/lab/data/split';
import { initEngine } from '../src/main/lab/engine/tf';
import { buildModel, TUTORIAL_HPARAMS } from '../src/main/lab/models/builders';
import { AdversarialRegularization, type AdvRegConfigInput } from '../src/main/lab/nsl';

const RECIPES: Record<string, AdvRegConfigInput> = {
  base: { multiplier: 0, advStepSize: 0.2, advGradNorm: 'infinity' },
  adv: { multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'infinity' },
  'adv-clipped': { multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'infinity', clipValueMin: 0, clipValueMax: 1 },
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, epochs: { type: 'string', default: '5' }, seed: { type: 'string', default: '0' }, models: { type: 'string', default: Object.keys(RECIPES).join(',') } } });
  if (values.out === undefined) throw new Error('usage: tsx bench/attack-models.ts --out DIR [--epochs 5] [--seed 0] [--models base,adv,adv-clipped]');
  const engine = await initEngine();
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  const ds = await convertMnistPackage();
  const split = splitDataset(ds, { seed, trainSize: 8000, testSize: 2000 });
  fs.mkdirSync(values.out, { recursive: true });
  fs.writeFileSync(path.join(values.out, 'test-indices.json'), JSON.stringify(Array.from(split.test)));
  console.log(`engine ${engine.backend} ${engine.tfVersion ?? ''}; train ${split.train.length}, test ${split.test.length}, epochs ${epochs}, seed ${seed}`);
  for (const name of values.models.split(',')) {
    const recipe = RECIPES[name];
    if (recipe === undefined) throw new Error(`unknown model ${name} (one of ${Object.keys(RECIPES).join(', ')})`);
    const model = buildModel({ ...TUTORIAL_HPARAMS, inputShape: [...TUTORIAL_HPARAMS.inputShape], convFilters: [...TUTORIAL_HPARAMS.convFilters], numFcUnits: [...TUTORIAL_HPARAMS.numFcUnits] }, seed);
    const trainer = new AdversarialRegularization(model, recipe, { seed });
    trainer.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const started = Date.now();
    const history = await trainer.fit({ epochs, batches: (epoch) => batches(ds, split.train, 32, { shuffleSeed: seed, epoch }) });
    const val = await trainer.evaluate(batches(ds, split.test, 256));
    console.log(`${name}: ${((Date.now() - started) / 1000).toFixed(0)} s, last loss ${history.history.loss!.at(-1)!.toFixed(4)}, test accuracy ${val.sparse_categorical_accuracy.toFixed(4)}`);
    await model.save(`file://${path.resolve(values.out, name)}`);
    trainer.dispose();
    model.dispose();
  }
  console.log(`tensors left: ${tf.memory().numTensors}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
