// The one place that picks the TensorFlow.js backend: native TensorFlow, else wasm, else pure-JS cpu.
// Everything else imports '@tensorflow/tfjs' and calls `initEngine()` once before doing tensor work.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { loadNativeBackend } from './native';
import { type BackendName, type NotUsed, OPTION_LABEL } from './options';
import { loadWasmBackend } from './wasm';

export { type BackendName, type NotUsed, OPTION_LABEL } from './options';

export interface EngineChoice {
  backend: BackendName;
  /** Why each other backend was not used, one sentence each ("option: why"); the same as notUsed. */
  reasons: string[];
  /** Every backend not chosen, with the reason. */
  notUsed: NotUsed[];
  /** TF_Version() of native TensorFlow when it is the backend, else null. */
  tfVersion: string | null;
  /** Threads the backend computes on. */
  threads: number;
  warnings: string[];
}

/** Names people use for each backend in RLAB_BACKEND. */
const BACKEND_ALIASES: Record<string, BackendName> = { tensorflow: 'tensorflow', native: 'tensorflow', tf: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

// Measured with `npm run bench` (tutorial CNN, batch 32, idle 2-core machine): per training step wasm takes
// 2.2–2.9× and pure JS 750–1,050× the time of native TensorFlow. Native TensorFlow uses every core and wasm one,
// so the wasm gap grows on machines with more cores.
export const WASM_SLOWDOWN = 'about 3×';
export const CPU_SLOWDOWN = 'about 1000×';

let choice: Promise<EngineChoice> | undefined;

/** Loads the best backend available (idempotent). `RLAB_BACKEND` (tensorflow|native|wasm|cpu) forces one. */
export function initEngine(): Promise<EngineChoice> {
  choice ??= pick();
  return choice;
}

/** RLAB_BACKEND parsed; undefined when unset or empty. */
export function forcedBackend(): BackendName | undefined {
  const raw = process.env.RLAB_BACKEND?.trim().toLowerCase();
  if (!raw) return undefined;
  const name = BACKEND_ALIASES[raw];
  if (!name) throw new LabError('invalid_argument', `RLAB_BACKEND must be one of tensorflow, native, wasm, cpu (got '${process.env.RLAB_BACKEND}')`, 'RLAB_BACKEND');
  return name;
}

async function pick(): Promise<EngineChoice> {
  const forced = forcedBackend();
  const notUsed: NotUsed[] = [];
  const skip = (b: BackendName, why: string): void => { notUsed.push({ option: OPTION_LABEL[b], why }); };
  const byRequest = `RLAB_BACKEND=${process.env.RLAB_BACKEND?.trim()} was requested`;

  if (forced === undefined || forced === 'tensorflow') {
    const native = await loadNativeBackend();
    if (native.ok) {
      skip('wasm', 'native TensorFlow preferred');
      skip('cpu', 'native TensorFlow preferred');
      return done('tensorflow', notUsed, native.tfVersion, native.threads, []);
    }
    if (forced) throw new LabError('engine_error', `${byRequest} but ${native.reason}`, 'RLAB_BACKEND');
    skip('tensorflow', native.reason!);
  } else skip('tensorflow', byRequest);

  if (forced === undefined || forced === 'wasm') {
    const wasm = await loadWasmBackend();
    if (wasm.ok) {
      skip('cpu', 'wasm preferred');
      const warnings = [`the wasm backend runs on ${wasm.threads} thread(s) under Node${wasm.simd ? '' : ' without SIMD'} and trains ${WASM_SLOWDOWN} slower than native TensorFlow on 2 cores (more on machines with more cores)`];
      return done('wasm', notUsed, null, wasm.threads, warnings);
    }
    if (forced) throw new LabError('engine_error', `${byRequest} but ${wasm.reason}`, 'RLAB_BACKEND');
    skip('wasm', wasm.reason!);
  } else skip('wasm', byRequest);

  if (!(await tf.setBackend('cpu'))) throw new LabError('engine_error', 'no TensorFlow.js backend could be initialised, not even the pure-JS cpu one');
  const warning = `the pure-JS cpu backend trains ${CPU_SLOWDOWN} slower than native TensorFlow (minutes per batch of the tutorial CNN): fine for tests and tiny runs, not for training`;
  console.warn(`[rlab engine] ${warning}`);
  return done('cpu', notUsed, null, 1, [warning]);
}

function done(backend: BackendName, notUsed: NotUsed[], tfVersion: string | null, threads: number, warnings: string[]): EngineChoice {
  return { backend, reasons: notUsed.map((n) => `${n.option}: ${n.why}`), notUsed, tfVersion, threads, warnings };
}
