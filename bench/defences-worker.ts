// One defence-bench process: builds the lab's training step for one row (makeTrainingStep, as the engine worker does),
// times it on a fixed batch and prints one JSON line. A defence makeTrainingStep refuses is reported as not built, not timed.
import * as tf from '@tensorflow/tfjs';
import { type RunConfig } from '../src/shared/contract';
import { initEngine } from '../src/main/lab/engine/tf';
import { readMetrics } from '../src/main/lab/nsl/training-loop';
import { initialModel, makeOptimizer } from '../src/main/lab/worker/run-data';
import { makeTrainingStep } from '../src/main/lab/defences/make-step';
import { type TrainingStep, type TrainProgress } from '../src/main/lab/defences/training-step';
import { syntheticBatch } from './steps';

export const DEFENCE_RESULT_PREFIX = 'RLAB_DEFENCE_BENCH_RESULT ';

export interface DefenceWorkerArgs {
  name: string;
  config: RunConfig;
  progress: TrainProgress;
  warmup: number;
  steps: number;
}

export type DefenceWorkerResult =
  | {
      name: string;
      status: 'timed';
      backend: string;
      tfVersion: string | null;
      threads: number;
      medianMs: number;
      minMs: number;
      steps: number;
      numTensorsBefore: number;
      numTensorsAfter: number;
    }
  | { name: string; status: 'not built'; why: string };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timeRow(args: DefenceWorkerArgs, engine: { backend: string; tfVersion: string | null; threads: number }): Promise<DefenceWorkerResult> {
  const numTensorsBefore = tf.memory().numTensors;
  const { x, y } = syntheticBatch(args.config.hparams.batchSize, 7);
  const model = await initialModel(args.config);
  const optimizer = makeOptimizer(args.config);
  const disposeAll = (): void => {
    optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  };
  let step: TrainingStep;
  try {
    step = makeTrainingStep(args.config, { model, optimizer, seed: args.config.seed });
  } catch (err) {
    disposeAll();
    return { name: args.name, status: 'not built', why: `makeTrainingStep refused it: ${err instanceof Error ? err.message : String(err)}` };
  }
  const times: number[] = [];
  try {
    const progress = { ...args.progress };
    const once = async (): Promise<void> => {
      await readMetrics(step.trainStep({ image: x, label: y }, progress));
      progress.step += 1;
      progress.batch = (progress.batch + 1) % progress.batchesPerEpoch;
    };
    for (let i = 0; i < args.warmup; i++) await once();
    for (let i = 0; i < args.steps; i++) {
      const start = performance.now();
      await once();
      times.push(performance.now() - start);
    }
  } finally {
    step.dispose();
    disposeAll();
  }
  // model, optimizer slots, step state and batch are gone again here, so any rise is a leak
  return { name: args.name, status: 'timed', ...engine, medianMs: median(times), minMs: Math.min(...times), steps: args.steps, numTensorsBefore, numTensorsAfter: tf.memory().numTensors };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as DefenceWorkerArgs;
  const choice = await initEngine();
  const result = await timeRow(args, { backend: choice.backend, tfVersion: choice.tfVersion, threads: choice.threads });
  process.stdout.write(`${DEFENCE_RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

if (process.argv[1] && /defences-worker\.ts$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  });
}
