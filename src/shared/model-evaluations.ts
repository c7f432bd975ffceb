// Which model an evaluation measured (the run's saved model, or the weights of one epoch checkpoint), the one rule
// for which of a run's evaluations speak for it, and how a checkpoint's numbers are marked wherever they are shown.

/** The finished-epoch count whose checkpoint weights were evaluated; null = the run's saved (final) model. */
export type ModelEpoch = number | null;

/**
 * The model whose evaluations speak for a run (its clean accuracy, headline, ensembles and curves): the final model
 * when any evaluation is of it, else the latest checkpoint evaluated; null when there are none. Numbers of different
 * models are never combined.
 */
export function currentModelEpoch(epochs: Iterable<ModelEpoch | undefined>): ModelEpoch {
  let latest: number | null = null;
  for (const epoch of epochs) {
    // absent (a record from before checkpoints were evaluated) is the saved model
    if (epoch == null) return null;
    if (latest === null || epoch > latest) latest = epoch;
  }
  return latest;
}

/** The evaluations of the model that speaks for the run (currentModelEpoch), in their order. */
export function currentModelEvaluations<T extends { modelEpoch?: ModelEpoch }>(evals: readonly T[]): T[] {
  const epoch = currentModelEpoch(evals.map((e) => e.modelEpoch));
  return evals.filter((e) => (e.modelEpoch ?? null) === epoch);
}

/** "epoch 3 checkpoint": the marker every front end shows next to a checkpoint's number; '' for the final model. */
export function checkpointMarker(epoch: ModelEpoch | undefined): string {
  return epoch == null ? '' : `epoch ${epoch} checkpoint`;
}

/** "final model" or "epoch 3 checkpoint", for messages that name both. */
export function modelName(epoch: ModelEpoch | undefined): string {
  return epoch == null ? 'final model' : checkpointMarker(epoch);
}
