// `npm run bench:attacks`: times the attack suite (AutoAttack by default) on the lab's CNN, on 1,000 test images (and
// more with --count), and prints every accuracy with its 95% Wilson interval and the zero-gradient fraction.
// Without --models it first trains the tutorial CNN for one epoch (base recipe) so it runs anywhere; with --models DIR
// (as written by bench/attack-models.ts) it attacks those models on their test split. A benchmark: it prints, never
// asserts. --dump DIR writes the images, labels and per-example masks for an outside cross-check.
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { robustnessCurve, type AttackAccuracy } from '../src/main/lab/attacks/evaluate';
import { type PixelData } from '../src/main/lab/attacks/inputs';
import { attackLabel, type AttackRequest } from '../src/shared/attacks';
import { batches } from '../src/main/lab/data/batches';
import { convertMnistPackage } from '../src/main/lab/data/mnist-sample';
import { splitDataset } from '../src/main/lab/data/split';
import { initEngine } from '../src/main/lab/engine/tf';
import { testSetOf } from '../src/main/lab/worker/test-set';
import { buildModel, TUTORIAL_HPARAMS } from '../src/main/lab/models/builders';
import { AdversarialRegularization } from '../src/main/lab/nsl';
import { outputKind } from '../src/main/lab/nsl/model-head';
import { wilsonInterval } from '../src/main/lab/store/evaluation-stats';

const USAGE = `npm run bench:attacks -- [--models DIR] [--names base,adv] [--count 1000] [--eps 0.1,0.2,0.3] [--norm infinity|l2]
                           [--suite autoattack|lean|gradient|standalone|full] [--dump DIR] [--json FILE] [--oracle]
  --suite full: FGSM, PGD-20, PGD-20 ×10, PGD-100, APGD-CE, APGD-T, Square, AutoAttack and their ensemble;
  --oracle: instead of the suite, compare each model with its logits twin (same weights, final Dense linear) and
            the twin with a Softmax layer appended, under FGSM ε0.1 and PGD-40 ε0.3
  --suite lean: the same without standalone APGD-T and Square (AutoAttack runs both on the examples left)
  --suite gradient: FGSM, PGD-20, PGD-20 ×10, PGD-100 and APGD-CE only; --suite standalone: APGD-T and Square alone`;

type SuiteEntry = Omit<AttackRequest, 'epsilon' | 'norm'>;

const SUITES: Record<string, SuiteEntry[]> = {
  autoattack: [{ attack: 'autoattack' }],
  lean: [{ attack: 'fgsm' }, { attack: 'pgd', steps: 20 }, { attack: 'pgd', steps: 20, restarts: 10 }, { attack: 'pgd', steps: 100 }, { attack: 'apgd-ce' }, { attack: 'autoattack' }],
  gradient: [{ attack: 'fgsm' }, { attack: 'pgd', steps: 20 }, { attack: 'pgd', steps: 20, restarts: 10 }, { attack: 'pgd', steps: 100 }, { attack: 'apgd-ce' }],
  standalone: [{ attack: 'apgd-t' }, { attack: 'square' }],
  full: [
    { attack: 'fgsm' },
    { attack: 'pgd', steps: 20 },
    { attack: 'pgd', steps: 20, restarts: 10 },
    { attack: 'pgd', steps: 100 },
    { attack: 'apgd-ce' },
    { attack: 'apgd-t' },
    { attack: 'square' },
    { attack: 'autoattack' },
  ],
};

interface Row {
  model: string;
  label: string;
  epsilon: number;
  correct: number;
  count: number;
  seconds: number;
  zeroGradFraction: number;
  components: AttackAccuracy['components'];
  mask: Uint8Array;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}`;

function line(r: Row): string {
  const { low, high } = wilsonInterval(r.correct, r.count);
  const comps = r.components.length > 0 ? `  [${r.components.map((c) => `${c.attack} ${pct(c.accuracy)}`).join(' → ')}]` : '';
  return `${r.model.padEnd(12)} ${r.label.padEnd(26)} ${pct(r.correct / r.count).padStart(5)}%  [${pct(low)}, ${pct(high)}]  n=${r.count}  zero-grad ${pct(r.zeroGradFraction)}%  ${r.seconds.toFixed(1)} s${comps}`;
}

async function quickModel(): Promise<{ model: tf.LayersModel; test: Uint32Array }> {
  const ds = await convertMnistPackage();
  const split = splitDataset(ds, { seed: 0, trainSize: 8000, testSize: 2000 });
  const model = buildModel({ ...TUTORIAL_HPARAMS, inputShape: [28, 28, 1], convFilters: [32, 64, 64], numFcUnits: [64] }, 0);
  const trainer = new AdversarialRegularization(model, { multiplier: 0 });
  trainer.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  await trainer.fit({ epochs: 1, batches: (epoch) => batches(ds, split.train, 32, { shuffleSeed: 0, epoch }) });
  trainer.dispose();
  return { model, test: split.test };
}

/** The logits/softmax oracle: the same weights as a logits model and with a softmax must read the same under attack. */
async function oracle(name: string, model: tf.LayersModel, images: PixelData, labels: Uint8Array): Promise<void> {
  const head = model.layers.at(-1)!;
  const features = head.input as tf.SymbolicTensor;
  const linear = tf.layers.dense({ units: (head.getConfig() as { units: number }).units, activation: 'linear', name: 'logits_out' });
  const logitsOut = linear.apply(features) as tf.SymbolicTensor;
  linear.setWeights(head.getWeights());
  const twins = [
    { kind: 'as trained (Dense softmax)', m: model },
    { kind: 'logits twin', m: tf.model({ inputs: model.inputs, outputs: logitsOut }) },
    { kind: 'logits twin + Softmax layer', m: tf.model({ inputs: model.inputs, outputs: tf.layers.softmax().apply(logitsOut) as tf.SymbolicTensor }) },
  ];
  for (const spec of [{ attack: 'fgsm', norm: 'infinity', epsilon: 0.1 }, { attack: 'pgd', norm: 'infinity', epsilon: 0.3, steps: 40 }] as const) {
    for (const { kind, m } of twins) {
      const r = await robustnessCurve({ target: m, images, labels, spec, epsilons: [spec.epsilon] });
      const p = r.points[0]!;
      console.log(`oracle ${name.padEnd(12)} ${attackLabel(p.attack).padEnd(18)} ${kind.padEnd(28)} output ${outputKind(m).padEnd(13)} ${pct(p.accuracy)}%  (${p.correct}/${p.count})`);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string' },
      names: { type: 'string' },
      count: { type: 'string', default: '1000' },
      eps: { type: 'string', default: '0.1,0.2,0.3' },
      norm: { type: 'string', default: 'infinity' },
      suite: { type: 'string', default: 'autoattack' },
      dump: { type: 'string' },
      json: { type: 'string' },
      oracle: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const suite = SUITES[values.suite];
  const norm = values.norm === 'l2' ? 'l2' : 'infinity';
  if (suite === undefined) throw new Error(`--suite must be one of ${Object.keys(SUITES).join(', ')}\n${USAGE}`);
  const epsilons = values.eps.split(',').map(Number);
  const engine = await initEngine();
  const ds = await convertMnistPackage();
  let models: { name: string; model: tf.LayersModel }[];
  let testIndices: Uint32Array;
  if (values.models === undefined) {
    const started = Date.now();
    const quick = await quickModel();
    console.log(`trained the tutorial CNN for 1 epoch (base recipe) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    models = [{ name: 'base-1ep', model: quick.model }];
    testIndices = quick.test;
  } else {
    const dir = values.models;
    const names = (values.names ?? fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, 'model.json'))).join(',')).split(',');
    models = await Promise.all(names.map(async (name) => ({ name, model: await tf.loadLayersModel(`file://${path.resolve(dir, name, 'model.json')}`) })));
    testIndices = Uint32Array.from(JSON.parse(fs.readFileSync(path.join(dir, 'test-indices.json'), 'utf8')) as number[]);
  }
  const count = Number(values.count);
  // beyond the test split, the timing run reuses the rest of the 10,000 digits (only the time is of interest then)
  const indices = count <= testIndices.length ? testIndices.subarray(0, count) : Uint32Array.from({ length: Math.min(count, ds.count) }, (_, i) => i);
  const { images, labels } = testSetOf(ds, indices, 0);
  const pixels = images.pixels;
  console.log(`engine ${engine.backend} ${engine.tfVersion ?? ''} (${engine.threads} threads); ${indices.length} images; ${norm} ε ${epsilons.join(', ')}; suite ${values.suite}`);
  if (values.dump !== undefined) {
    fs.mkdirSync(values.dump, { recursive: true });
    fs.writeFileSync(path.join(values.dump, 'images.u8'), pixels);
    fs.writeFileSync(path.join(values.dump, 'labels.u8'), labels);
  }

  if (values.oracle === true) {
    for (const { name, model } of models) await oracle(name, model, images, labels);
    return;
  }
  const rows: Row[] = [];
  for (const { name, model } of models) {
    console.log(`${name}: output ${outputKind(model)}`);
    const clean = await robustnessCurve({ target: model, images, labels, spec: { attack: 'fgsm', norm }, epsilons: [0] });
    rows.push({ model: name, label: 'clean', epsilon: 0, correct: clean.points[0]!.correct, count: clean.count, seconds: 0, zeroGradFraction: clean.zeroGradFraction, components: [], mask: clean.points[0]!.correctMask });
    console.log(line(rows.at(-1)!));
    for (const epsilon of epsilons) {
      const masks: Uint8Array[] = [];
      for (const entry of suite) {
        const started = Date.now();
        const curve = await robustnessCurve({ target: model, images, labels, spec: { ...entry, norm }, epsilons: [epsilon] });
        const p = curve.points[0]!;
        rows.push({ model: name, label: attackLabel(p.attack), epsilon, correct: p.correct, count: p.count, seconds: (Date.now() - started) / 1000, zeroGradFraction: p.zeroGradFraction, components: p.components, mask: p.correctMask });
        masks.push(p.correctMask);
        console.log(line(rows.at(-1)!));
      }
      if (masks.length > 1) {
        const all = masks.reduce((acc, m) => acc.map((v, i) => v & m[i]!));
        const correct = all.reduce((s, v) => s + v, 0);
        rows.push({ model: name, label: `ensemble ${norm === 'infinity' ? '∞' : 'L2'} ε${epsilon}`, epsilon, correct, count: all.length, seconds: 0, zeroGradFraction: 0, components: [], mask: all });
        console.log(line(rows.at(-1)!));
      }
    }
    if (values.dump !== undefined) {
      const masks = rows.filter((r) => r.model === name && r.label.startsWith('AutoAttack'));
      for (const r of masks) fs.writeFileSync(path.join(values.dump, `${name}-${norm}-${r.epsilon}-mask.u8`), r.mask);
    }
  }
  if (values.json !== undefined) fs.writeFileSync(values.json, JSON.stringify(rows.map(({ mask, ...r }) => ({ ...r, accuracy: r.correct / r.count, interval: wilsonInterval(r.correct, r.count), mask: Array.from(mask) })), null, 1));
  models.forEach((m) => m.model.dispose());
  console.log(`tensors left: ${tf.memory().numTensors}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
