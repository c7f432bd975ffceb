// Epoch checkpoints: model weights + optimizer state in one folder, so an interrupted run resumes exactly where it stopped.
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LabError } from '../../../shared/errors';
import { tempSibling, writeFileDurable } from '../data/atomic-fs';
import { CHECKPOINT_STATE_FILE } from './run-paths';

const STATE_FILE = CHECKPOINT_STATE_FILE;
const WEIGHTS_FILE = 'weights.bin';

const specSchema = z.object({ name: z.string(), shape: z.array(z.number().int()), dtype: z.string() }).passthrough();
const stateSchema = z.object({
  format: z.literal(1),
  /** Epochs finished when the checkpoint was written (1-based count). */
  epoch: z.number().int().min(0),
  /** Optimizer steps taken so far. */
  step: z.number().int().min(0),
  optimizer: z.string(),
  modelWeights: z.array(specSchema),
  optimizerWeights: z.array(specSchema),
  /** The training step's own state (e.g. Fast-AT's guard history), as its `state()` returned it; absent when it keeps none. */
  defenceState: z.unknown().optional(),
});
export type CheckpointState = Omit<z.infer<typeof stateSchema>, 'modelWeights' | 'optimizerWeights'> & {
  modelWeights: tf.io.WeightsManifestEntry[];
  optimizerWeights: tf.io.WeightsManifestEntry[];
};

/**
 * Writes the checkpoint into a temporary sibling and renames it over `dir`, so `dir` is either absent or complete.
 * Model weights are stored in `model.getWeights()` order (trainable and not), optimizer weights as the optimizer names them.
 */
export async function saveCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer, progress: { epoch: number; step: number; defenceState?: unknown }): Promise<string> {
  const modelWeights = model.getWeights();
  const named = modelWeights.map((t, i) => ({ name: `model/${i}/${model.weights[i]?.originalName ?? ''}`, tensor: t }));
  const optWeights = await optimizer.getWeights();
  try {
    const encodedModel = await tf.io.encodeWeights(named);
    const encodedOpt = await tf.io.encodeWeights(optWeights.map((w) => ({ name: `optimizer/${w.name}`, tensor: w.tensor })));
    const state: CheckpointState = {
      format: 1,
      epoch: progress.epoch,
      step: progress.step,
      optimizer: optimizer.getClassName(),
      modelWeights: encodedModel.specs,
      optimizerWeights: encodedOpt.specs,
      ...(progress.defenceState === undefined ? {} : { defenceState: progress.defenceState }),
    };
    const bytes = Buffer.concat([Buffer.from(encodedModel.data as ArrayBuffer), Buffer.from(encodedOpt.data as ArrayBuffer)]);
    await fs.mkdir(path.dirname(dir), { recursive: true });
    const tmp = tempSibling(dir);
    await fs.mkdir(tmp);
    try {
      await writeFileDurable(path.join(tmp, WEIGHTS_FILE), bytes);
      await writeFileDurable(path.join(tmp, STATE_FILE), JSON.stringify(state));
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rename(tmp, dir);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
    return dir;
  } finally {
    // saveIterations() makes a fresh scalar; the moment variables belong to the optimizer and stay alive
    optWeights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
  }
}

/** Reads the checkpoint's state without loading weights. */
export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  const file = path.join(dir, STATE_FILE);
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch {
    throw new LabError('not_found', `no checkpoint at ${dir}`, 'checkpoint');
  }
  const parsed = stateSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new LabError('corrupt_data', `${file} is not a valid checkpoint description`, 'checkpoint');
  return parsed.data as CheckpointState;
}

/**
 * Restores model weights and optimizer state written by `saveCheckpoint`.
 * The model must have the architecture the checkpoint was written from; shapes are checked one by one.
 */
export async function restoreCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<CheckpointState> {
  const state = await readCheckpointState(dir);
  if (state.optimizer !== optimizer.getClassName()) {
    throw new LabError('failed_precondition', `checkpoint ${dir} was written by a ${state.optimizer} optimizer, the run uses ${optimizer.getClassName()}`, 'checkpoint');
  }
  await restoreWeights(dir, state, model, optimizer);
  return state;
}

/** Restores only the model weights written by `saveCheckpoint` (to evaluate them): the optimizer state is not read. */
export async function restoreModelWeights(dir: string, model: tf.LayersModel): Promise<CheckpointState> {
  const state = await readCheckpointState(dir);
  await restoreWeights(dir, state, model, null);
  return state;
}

async function restoreWeights(dir: string, state: CheckpointState, model: tf.LayersModel, optimizer: tf.Optimizer | null): Promise<void> {
  const bytes = await fs.readFile(path.join(dir, WEIGHTS_FILE));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const specs = [...state.modelWeights, ...state.optimizerWeights];
  const decoded = tf.io.decodeWeights(buffer, specs);
  const modelTensors = state.modelWeights.map((s) => decoded[s.name]!);
  try {
    const current = model.weights;
    if (current.length !== modelTensors.length) {
      throw new LabError('failed_precondition', `checkpoint ${dir} holds ${modelTensors.length} weights but the model has ${current.length}`, 'checkpoint');
    }
    current.forEach((w, i) => {
      const got = modelTensors[i]!.shape.join('×');
      if (got !== w.shape.join('×')) throw new LabError('failed_precondition', `checkpoint ${dir}: weight ${w.originalName} has shape ${got}, the model expects ${w.shape.join('×')}`, 'checkpoint');
    });
    model.setWeights(modelTensors);
    if (optimizer) await optimizer.setWeights(state.optimizerWeights.map((s) => ({ name: s.name.slice('optimizer/'.length), tensor: decoded[s.name]! })));
  } finally {
    // setWeights copies into variables, so the decoded tensors can go
    Object.values(decoded).forEach((t) => t.dispose());
  }
}
