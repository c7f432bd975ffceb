// The one place that loads TensorFlow.js: native TensorFlow when its binding loads, else wasm, else cpu.
// Everything else imports '@tensorflow/tfjs' and calls `initEngine()` once before doing tensor work.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';

export interface EngineChoice {
  backend: 'tensorflow' | 'wasm' | 'cpu';
  /** Why a better backend was not used, one sentence each. */
  reasons: string[];
}

let choice: Promise<EngineChoice> | undefined;

/** Loads the best backend available (idempotent). `RLAB_BACKEND` may force one of tensorflow/wasm/cpu. */
export function initEngine(): Promise<EngineChoice> {
  choice ??= pick();
  return choice;
}

async function pick(): Promise<EngineChoice> {
  const reasons: string[] = [];
  const forced = process.env.RLAB_BACKEND;
  if (!forced || forced === 'tensorflow') {
    try {
      createRequire(import.meta.url)('@tensorflow/tfjs-node-gpu');
      if (await tf.setBackend('tensorflow')) return { backend: 'tensorflow', reasons };
      reasons.push('the native TensorFlow backend registered but failed to initialise');
    } catch (err) {
      reasons.push(`native TensorFlow binding did not load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  } else reasons.push(`RLAB_BACKEND=${forced}`);
  await tf.setBackend('cpu');
  reasons.push('wasm backend not set up yet');
  return { backend: 'cpu', reasons };
}
