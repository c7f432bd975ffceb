// Names of the ways the lab can run tensors, shared by the backend choice, the engine record and `rlab doctor`.
// No TensorFlow.js import here, so printing a record (e.g. one received from the engine worker) stays cheap.

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** A better (or other) way to run that this process is not using, and why. */
export interface NotUsed {
  option: string;
  why: string;
}

/** How each backend is named in notUsed and in `rlab doctor`. */
export const OPTION_LABEL: Record<BackendName, string> = { tensorflow: 'native TensorFlow', wasm: 'wasm', cpu: 'cpu (pure JS)' };
