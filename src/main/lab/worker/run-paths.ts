// Where a run's files live inside its folder; no TF.js here, so the host can compute the same paths.
import path from 'node:path';

/** The folder of the checkpoint written after `epoch` finished epochs. */
export function checkpointDir(runDir: string, epoch: number): string {
  return path.join(runDir, 'checkpoints', `epoch-${String(epoch).padStart(4, '0')}`);
}

/** The file inside a checkpoint folder that is written last; its presence means the checkpoint is complete. */
export const CHECKPOINT_STATE_FILE = 'checkpoint.json';

/** Where a run's final model (model.json + weights.bin) goes. */
export function modelDirOf(runDir: string): string {
  return path.join(runDir, 'model');
}
