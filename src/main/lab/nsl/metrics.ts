// Metric names and batch types shared by the adversarial-regularization step and its epoch loop.
import type * as tf from '@tensorflow/tfjs';

/** One batch: images [batch, h, w, c] (float32, usually in [0, 1]) and class indices [batch]. */
export interface Batch {
  image: tf.Tensor;
  label: tf.Tensor1D;
  /**
   * Optional per-example sample weights [batch] (float32), as NSL's sample_weight_key: they weight the labeled and
   * adversarial losses (Σ w·loss / batch size) and the neighbour's loss; accuracy stays unweighted, as in NSL.
   */
  weight?: tf.Tensor1D;
}

/** Batches of one pass over a dataset; sync and async iterables both work. */
export type BatchSource = Iterable<Batch> | AsyncIterable<Batch>;

/** NSL's metric names, in the order they are packed for reading. */
export const METRIC_NAMES = ['loss', 'sparse_categorical_crossentropy', 'scaled_adversarial_loss', 'sparse_categorical_accuracy'] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** Scalar tensors of one step; the caller owns them (read them in bulk with `readMetrics`, which disposes). */
export type StepMetrics = Record<MetricName, tf.Scalar>;

/** Metric values as numbers. */
export type MetricValues = Record<MetricName, number>;

/** Batch-size-weighted running means, as Keras reports epoch metrics. */
export class MetricMeans {
  private sums = new Map<MetricName, number>();
  private count = 0;

  add(values: MetricValues, size: number): void {
    for (const name of METRIC_NAMES) this.sums.set(name, (this.sums.get(name) ?? 0) + values[name] * size);
    this.count += size;
  }

  get size(): number {
    return this.count;
  }

  result(): MetricValues {
    const out = {} as MetricValues;
    for (const name of METRIC_NAMES) out[name] = this.count === 0 ? NaN : this.sums.get(name)! / this.count;
    return out;
  }
}
