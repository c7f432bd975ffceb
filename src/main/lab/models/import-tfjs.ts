// Imports a TF.js layers model (model.json + weights) as a base model, after checking it is safe to read and fits the dataset.
// Runs in the engine worker only: the host never builds a user's model (see service/model-inspector.ts).
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { readModelJson, readWeightGroup, type ValidatedModelJson } from './import-manifest';
import { validateTopology, type TopologySummary } from './import-topology';
import { layerChain } from './onnx/chain';

export interface ImportTfjsOptions {
  /** Image shape the lab feeds, [height, width, channels]; the model may take it as is or flattened. */
  inputShape: [number, number, number];
  /** Classes of the dataset; the model's single output must have this many units. */
  numClasses: number;
}

const sameShape = (a: readonly (number | null)[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

function checkOptions({ inputShape, numClasses }: ImportTfjsOptions): void {
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new LabError('invalid_argument', `inputShape must be [height, width, channels] of positive integers (got ${JSON.stringify(inputShape)})`, 'inputShape');
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new LabError('invalid_argument', `numClasses must be an integer >= 2 (got ${numClasses})`, 'numClasses');
}

/** Builds the layers from the topology only (fresh initial weights), so shapes are checked before weights are read. */
async function modelFromTopology(v: ValidatedModelJson): Promise<tf.LayersModel> {
  try {
    return await tf.models.modelFromJSON({ modelTopology: v.topology });
  } catch (err) {
    throw new LabError('corrupt_data', `${v.path}: the model topology cannot be built: ${(err instanceof Error ? err.message : String(err)).slice(0, 200)}`, 'modelPath');
  }
}

function checkShapes(model: tf.LayersModel, v: ValidatedModelJson, { inputShape, numClasses }: ImportTfjsOptions): 'image' | 'flat' {
  if (model.inputs.length !== 1) throw new LabError('invalid_argument', `${v.path}: the model has ${model.inputs.length} inputs; a base model takes one image input`, 'inputShape');
  if (model.outputs.length !== 1) throw new LabError('invalid_argument', `${v.path}: the model has ${model.outputs.length} outputs; a base model has one class output`, 'numClasses');
  const inShape = model.inputs[0]!.shape.slice(1);
  const flat = inputShape.reduce((a, b) => a * b, 1);
  const kind = sameShape(inShape, inputShape) ? 'image' : sameShape(inShape, [flat]) ? 'flat' : null;
  if (kind === null) {
    throw new LabError('invalid_argument', `${v.path}: the model takes input [${inShape.join(', ')}]; it must take [${inputShape.join(', ')}] or [${flat}] (the dataset's images)`, 'inputShape');
  }
  const outShape = model.outputs[0]!.shape;
  if (outShape.length !== 2 || outShape[1] !== numClasses) {
    throw new LabError('invalid_argument', `${v.path}: the model outputs [${outShape.slice(1).join(', ')}] per example; it must output ${numClasses} class scores (one per class of the dataset)`, 'numClasses');
  }
  return kind;
}

/** The weights the topology needs, counted from its config, must be what the manifest lists: checked before anything is built. */
function checkWeightCount(summary: TopologySummary, v: ValidatedModelJson): void {
  if (summary.parameters !== v.values) {
    throw new LabError('corrupt_data', `${v.path}: the layers need ${summary.parameters} weights but the manifest lists ${v.values}; weights are missing or belong to another model`, 'modelPath');
  }
}

/** Every weight of the topology must be in the manifest with the same shape, and nothing else may be. */
function checkWeightNames(model: tf.LayersModel, v: ValidatedModelJson): void {
  const specs = new Map(v.groups.flatMap((g) => g.specs).map((s) => [s.name, s]));
  for (const w of model.weights) {
    const spec = specs.get(w.originalName);
    if (spec === undefined) throw new LabError('corrupt_data', `${v.path}: the manifest has no weights for "${w.originalName}" [${w.shape.join(', ')}]`, 'modelPath');
    if (!sameShape(spec.shape, w.shape as number[])) {
      throw new LabError('corrupt_data', `${v.path}: weight ${JSON.stringify(w.originalName.slice(0, 80))} is [${spec.shape.join(', ')}] in the manifest but the layer needs [${w.shape.join(', ')}]`, 'modelPath');
    }
    specs.delete(w.originalName);
  }
  if (specs.size > 0) throw new LabError('corrupt_data', `${v.path}: the manifest lists weights no layer uses: ${[...specs.keys()].join(', ')}`, 'modelPath');
}

async function loadWeights(model: tf.LayersModel, v: ValidatedModelJson): Promise<void> {
  const values: tf.NamedTensorMap = {};
  try {
    for (const group of v.groups) Object.assign(values, tf.io.decodeWeights(await readWeightGroup(group), group.specs));
    model.loadWeights(values, true);
  } finally {
    tf.dispose(values);
  }
}

/** A model that takes [h, w, c] images and flattens them for `flat`, taking over its layers (and so its weights); `flat` is disposed. */
function imageInputModel(flat: tf.LayersModel, inputShape: [number, number, number]): tf.LayersModel {
  const steps = layerChain(flat, 'importing a model with a flat input');
  const taken = new Set(flat.layers.map((l) => l.name));
  let name = 'image_flatten';
  for (let i = 1; taken.has(name); i++) name = `image_flatten_${i}`;
  const input = tf.input({ shape: inputShape, dtype: 'float32', name: 'image' });
  let x = tf.layers.flatten({ name }).apply(input) as tf.SymbolicTensor;
  for (const step of steps) x = step.layer.apply(x) as tf.SymbolicTensor;
  const wrapped = tf.model({ inputs: input, outputs: x, name: flat.name });
  // Applying a layer again adds a reference to its weights; dropping the flat model's leaves the wrapper the only owner.
  flat.dispose();
  return wrapped;
}

/**
 * Loads the TF.js layers model at `modelJsonPath` for use as a base model. model.json and its manifest are
 * validated before any weights are read (see readModelJson), then the topology is built and its input and
 * output checked against the dataset. A model taking flat [h·w·c] input is returned wrapped with a Flatten
 * in front, so it takes the same [h, w, c] images as every lab model.
 */
export async function importTfjsModel(modelJsonPath: string, options: ImportTfjsOptions): Promise<tf.LayersModel> {
  return (await importTfjsModelWithSummary(modelJsonPath, options)).model;
}

/**
 * importTfjsModel, also returning what the topology check found. The topology is validated as data (layer classes,
 * sizes, parameter count, input and output) and its weight count matched against the manifest before TF.js builds it.
 */
export async function importTfjsModelWithSummary(modelJsonPath: string, options: ImportTfjsOptions): Promise<{ model: tf.LayersModel; summary: TopologySummary }> {
  checkOptions(options);
  const validated = await readModelJson(modelJsonPath);
  const summary = validateTopology(validated.topology, options, validated.path);
  checkWeightCount(summary, validated);
  const model = await modelFromTopology(validated);
  try {
    const kind = checkShapes(model, validated, options);
    checkWeightNames(model, validated);
    await loadWeights(model, validated);
    return { model: kind === 'image' ? model : imageInputModel(model, options.inputShape), summary };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
