// The first examples of an evaluation as it scored them: their clean and adversarial pixels and every class's
// probability under each model asked for, taken from the evaluation's own batches (so a gallery shows exactly the
// images behind the per-example mask, and costs no second attack).
import * as tf from '@tensorflow/tfjs';
import { probabilities } from './logits';

export interface KeptExamples {
  /** Examples kept: the first `count` of the evaluated images, in order. */
  count: number;
  /** [count × pixels] in [0, 1]. */
  clean: Float32Array;
  adversarial: Float32Array;
  /** Per model asked for, in order: [count × classes] probabilities on the clean and the adversarial images. */
  probabilities: { clean: Float32Array; adversarial: Float32Array }[];
}

export interface KeepRequest {
  examples: number;
  /** Whose probabilities to keep (the scored model first, typically). */
  models: readonly tf.LayersModel[];
}

/** Collects KeptExamples batch by batch; `add` reads what it needs before the caller disposes the batch. */
export class ExampleKeeper {
  private readonly kept: KeptExamples;

  constructor(
    private readonly request: KeepRequest,
    total: number,
    private readonly pixels: number,
    private readonly classes: readonly number[],
  ) {
    const count = Math.max(0, Math.min(request.examples, total));
    this.kept = {
      count,
      clean: new Float32Array(count * pixels),
      adversarial: new Float32Array(count * pixels),
      probabilities: classes.map((c) => ({ clean: new Float32Array(count * c), adversarial: new Float32Array(count * c) })),
    };
  }

  /** Whether any example of the batch starting at `start` is kept. */
  wants(start: number): boolean {
    return start < this.kept.count;
  }

  /** Keeps the rows of one batch (its first example is number `start`) that fall among the first `count`. */
  async add(start: number, x: tf.Tensor, adversarial: tf.Tensor): Promise<void> {
    const rows = Math.min(this.kept.count - start, x.shape[0]!);
    if (rows <= 0) return;
    const out = tf.tidy(() => {
      const head = (t: tf.Tensor) => t.slice(0, rows);
      const cx = head(x);
      const ax = head(adversarial);
      return [cx, ax, ...this.request.models.flatMap((m) => [probabilities(m, cx), probabilities(m, ax)])];
    });
    try {
      const values = (await Promise.all(out.map((t) => t.data()))) as Float32Array[];
      this.kept.clean.set(values[0]!, start * this.pixels);
      this.kept.adversarial.set(values[1]!, start * this.pixels);
      this.kept.probabilities.forEach((p, m) => {
        p.clean.set(values[2 + 2 * m]!, start * this.classes[m]!);
        p.adversarial.set(values[3 + 2 * m]!, start * this.classes[m]!);
      });
    } finally {
      tf.dispose(out);
    }
  }

  result(): KeptExamples {
    return this.kept;
  }
}
