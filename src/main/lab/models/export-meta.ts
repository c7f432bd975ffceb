// What an exported model says about itself: input contract, labels, training config and accuracy, shared by the TF.js and ONNX exports.
import type * as tf from '@tensorflow/tfjs';
import { type RunConfig, type RunDetail } from '../../../shared/contract';
import { defenceLine } from '../../../shared/defence-line';
import { LabError } from '../../../shared/errors';
import { learningRateText } from '../../../shared/lr-schedule';

/** Facts about a model that its files cannot carry by themselves. */
export interface ExportMeta {
  /** Class names in the order of the model's output units. */
  classNames: string[];
  /** The run that trained the model, when it comes from the lab. */
  run?: { id: string; name: string; role: string; experimentId: string; experimentName: string };
  /** The config the model was trained with (hparams, adversarial regularization, data split, seed). */
  training: RunConfig | null;
  /** Accuracy on the clean test split, 0–1. */
  cleanAccuracy: number | null;
  /** Headline robust accuracy, 0–1, with the attack it was measured under (e.g. "PGD-20 ∞ ε0.2"). */
  robustAccuracy: number | null;
  robustLabel: string | null;
}

/** The description written to metadata.json (TF.js) or into the ONNX metadata_props. */
export interface ExportMetadata {
  format: 'robustness-lab-export';
  version: 1;
  createdAt: string;
  model: { format: 'tfjs-layers' | 'onnx'; name: string; parameters: number; layers: { name: string; className: string }[] };
  input: { name: string; shape: (number | null)[]; dtype: 'float32'; layout: 'NHWC' | 'flat'; valueRange: [number, number]; preprocessing: string };
  output: { name: string; shape: (number | null)[]; meaning: string };
  labels: string[];
  run: ExportMeta['run'] | null;
  training: RunConfig | null;
  accuracy: { clean: number | null; robust: number | null; robustAttack: string | null };
}

/** The meta of a lab run; class names come from the run's dataset. */
export function exportMetaFromRun(run: RunDetail, classNames: string[]): ExportMeta {
  return {
    classNames: [...classNames],
    run: { id: run.id, name: run.name, role: run.role, experimentId: run.experimentId, experimentName: run.experimentName },
    training: run.config,
    cleanAccuracy: run.cleanAccuracy,
    robustAccuracy: run.robustAccuracy,
    robustLabel: run.robustLabel,
  };
}

/** Output units of a single-output classifier; throws when the model has another shape. */
export function outputUnits(model: tf.LayersModel): number {
  const shape = model.outputs.length === 1 ? model.outputs[0]!.shape : [];
  const units = shape[1];
  if (shape.length !== 2 || typeof units !== 'number') {
    throw new LabError('unsupported', `only classifiers with one [batch, classes] output can be exported (model "${model.name}" outputs ${JSON.stringify(model.outputs.map((o) => o.shape))})`, 'model');
  }
  return units;
}

/** Checks the meta fits the model: one label per output unit, accuracies in [0, 1]. */
export function checkExportMeta(model: tf.LayersModel, meta: ExportMeta): void {
  const units = outputUnits(model);
  if (!Array.isArray(meta.classNames) || meta.classNames.length !== units) {
    throw new LabError('invalid_argument', `classNames must name each of the model's ${units} outputs (got ${Array.isArray(meta.classNames) ? meta.classNames.length : 'none'})`, 'classNames');
  }
  for (const key of ['cleanAccuracy', 'robustAccuracy'] as const) {
    const v = meta[key];
    if (v !== null && !(v >= 0 && v <= 1)) throw new LabError('invalid_argument', `${key} must be in [0, 1] or null (got ${v})`, key);
  }
}

/** The metadata document for `model` exported in `format`, with the given input and output names. */
export function exportMetadata(model: tf.LayersModel, meta: ExportMeta, format: 'tfjs-layers' | 'onnx', names: { input: string; output: string }): ExportMetadata {
  const inShape = model.inputs[0]!.shape;
  return {
    format: 'robustness-lab-export',
    version: 1,
    createdAt: new Date().toISOString(),
    model: { format, name: model.name, parameters: model.countParams(), layers: model.layers.map((l) => ({ name: l.name, className: l.getClassName() })) },
    input: {
      name: names.input,
      shape: [...inShape],
      dtype: 'float32',
      layout: inShape.length === 4 ? 'NHWC' : 'flat',
      valueRange: [0, 1],
      preprocessing: 'grayscale pixels divided by 255 (0 = black background, 1 = white ink, as in MNIST)',
    },
    output: { name: names.output, shape: [...model.outputs[0]!.shape], meaning: 'class probabilities (softmax), one per label, in label order' },
    labels: [...meta.classNames],
    run: meta.run ?? null,
    training: meta.training,
    accuracy: { clean: meta.cleanAccuracy, robust: meta.robustAccuracy, robustAttack: meta.robustLabel },
  };
}

const pct = (v: number | null): string => (v === null ? 'not measured' : `${(v * 100).toFixed(2)}%`);

/** Human-readable lines on the model's accuracy and training, shared by README.txt and the ONNX doc string. */
export function summaryLines(m: ExportMetadata): string[] {
  const lines = [`Labels (output order): ${m.labels.join(', ')}`, `Clean accuracy: ${pct(m.accuracy.clean)}`];
  lines.push(`Robust accuracy: ${pct(m.accuracy.robust)}${m.accuracy.robustAttack ? ` under ${m.accuracy.robustAttack}` : ''}`);
  if (m.run) lines.push(`Run: ${m.run.name} (${m.run.id}, ${m.run.role}) of experiment ${m.run.experimentName} (${m.run.experimentId})`);
  const t = m.training;
  if (t) {
    const h = t.hparams;
    lines.push(`Training: ${h.model} ${h.inputShape.join('x')} → ${h.numClasses}, ${h.epochs} epochs, batch ${h.batchSize}, ${h.optimizer} ${learningRateText(h)}, seed ${t.seed}`);
    lines.push(`Defence: ${defenceLine(t)}`);
  }
  return lines;
}
