// Gallery samples: for fixed test indices, the clean and adversarial images, their difference, and what one or two
// models predict on each, as plain typed arrays ready for the store and the UI.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { classCount, describeInputs, imageBatch, labelBatch, labelValues, type ImageInput, type LabelInput } from './inputs';
import { probabilities } from './logits';
import { attackBatch } from './perturb';
import { DEFAULT_BATCH_SIZE, mixSeed, resolveAttackSpec, type AttackSpec, type ResolvedAttack } from './spec';

export interface GalleryArgs {
  /** Models whose predictions are shown: typically the baseline and the adversarially trained one. */
  models: { base: tf.LayersModel; adv?: tf.LayersModel };
  /** The model whose gradients make the perturbation (default `models.base`). */
  source?: tf.LayersModel;
  images: ImageInput;
  labels: LabelInput;
  /** Positions in `images` to show, in the order given. */
  indices: readonly number[];
  spec: AttackSpec;
}

export interface GalleryPrediction {
  /** Predicted class on the clean image, and the probabilities behind it. */
  clean: number;
  cleanProbabilities: Float32Array;
  /** Predicted class on the adversarial image, and the probabilities behind it. */
  adversarial: number;
  adversarialProbabilities: Float32Array;
}

export interface GallerySample {
  index: number;
  label: number;
  /** [h, w, c] pixels in [0, 1]. */
  clean: Float32Array;
  adversarial: Float32Array;
  /** adversarial − clean, inside the ε-ball. */
  perturbation: Float32Array;
  base: GalleryPrediction;
  adv?: GalleryPrediction;
}

export interface Gallery {
  /** Shape of every image array: [height, width, channels]. */
  imageShape: [number, number, number];
  attack: ResolvedAttack;
  samples: GallerySample[];
}

interface ChunkValues {
  clean: Float32Array;
  adversarial: Float32Array;
  probs: { clean: Float32Array; adversarial: Float32Array }[];
}

function predictionAt(probs: { clean: Float32Array; adversarial: Float32Array }, row: number, classes: number): GalleryPrediction {
  const cleanProbabilities = probs.clean.slice(row * classes, (row + 1) * classes);
  const adversarialProbabilities = probs.adversarial.slice(row * classes, (row + 1) * classes);
  return { clean: argMax(cleanProbabilities), cleanProbabilities, adversarial: argMax(adversarialProbabilities), adversarialProbabilities };
}

function argMax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Attacks the examples at `indices` and returns them with the predictions of `models.base` (and `models.adv`). */
export async function sampleGallery(args: GalleryArgs): Promise<Gallery> {
  const { images, labels, indices, models } = args;
  const source = args.source ?? models.base;
  const { count, pixels, imageShape } = describeInputs(images, labels);
  const attack = resolveAttackSpec(args.spec, pixels, classCount(source));
  if (!Array.isArray(indices) || indices.length === 0) throw new LabError('invalid_argument', 'indices must be a non-empty list of example positions', 'indices');
  const badIndex = indices.findIndex((i) => !Number.isSafeInteger(i) || i < 0 || i >= count);
  if (badIndex >= 0) throw new LabError('invalid_argument', `indices must be integers in [0, ${count - 1}] (got ${String(indices[badIndex])} at ${badIndex})`, 'indices');
  const shown = models.adv === undefined ? [models.base] : [models.base, models.adv];
  const classes = shown.map(classCount);
  const truth = await labelValues(labels);

  const samples: GallerySample[] = [];
  for (let from = 0; from < indices.length; from += DEFAULT_BATCH_SIZE) {
    const rows = indices.slice(from, from + DEFAULT_BATCH_SIZE);
    const x = imageBatch(images, rows);
    const y = labelBatch(labels, rows);
    let values: ChunkValues;
    try {
      const out = tf.tidy(() => {
        const adversarial = attackBatch(source, x, y, attack, mixSeed(attack.seed, from));
        return { adversarial, probs: shown.map((m) => ({ clean: probabilities(m, x), adversarial: probabilities(m, adversarial) })) };
      });
      const [clean, adversarial, ...probs] = await Promise.all([x.data(), out.adversarial.data(), ...out.probs.flatMap((p) => [p.clean.data(), p.adversarial.data()])]);
      tf.dispose(out);
      values = {
        clean: clean as Float32Array,
        adversarial: adversarial as Float32Array,
        probs: shown.map((_, m) => ({ clean: probs[2 * m] as Float32Array, adversarial: probs[2 * m + 1] as Float32Array })),
      };
    } finally {
      x.dispose();
      y.dispose();
    }
    rows.forEach((index, r) => {
      const clean = values.clean.slice(r * pixels, (r + 1) * pixels);
      const adversarial = values.adversarial.slice(r * pixels, (r + 1) * pixels);
      const sample: GallerySample = {
        index,
        label: truth[index]!,
        clean,
        adversarial,
        perturbation: adversarial.map((v, i) => v - clean[i]!),
        base: predictionAt(values.probs[0]!, r, classes[0]!),
      };
      if (shown.length > 1) sample.adv = predictionAt(values.probs[1]!, r, classes[1]!);
      samples.push(sample);
    });
  }
  return { imageShape, attack, samples };
}
