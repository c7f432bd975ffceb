// Evaluation tasks every side builds the same way.
import { type EvalTask } from './protocol';

/** Clean accuracy on the whole test split: no attack is run. */
export const CLEAN_TASK: Readonly<EvalTask> = Object.freeze({ attack: null, sourceRunId: null, sourceModelPath: null, gallery: false, testSize: null });
