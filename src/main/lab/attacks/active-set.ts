// The examples an attack run is still working on. Every attack here treats examples independently, so an example
// can leave the batch as soon as it is misclassified: its point is set aside and the run continues on the rest,
// which changes no example's outcome and makes a run on a weak model cost a few steps instead of all of them.
import * as tf from '@tensorflow/tfjs';
import { type Best } from './best';

export class ActiveSet {
  /** Positions in the run's batch of the examples still active, in the order of the active tensors' rows. */
  rows: number[];
  private readonly per: number;
  private readonly outX: Float32Array;
  private readonly outLoss: Float32Array;
  private readonly outFooled: Uint8Array;

  constructor(private readonly shape: [number, number, number, number]) {
    const [n, h, w, c] = shape;
    this.per = h * w * c;
    this.rows = Array.from({ length: n }, (_, i) => i);
    this.outX = new Float32Array(n * this.per);
    this.outLoss = new Float32Array(n).fill(-Infinity);
    this.outFooled = new Uint8Array(n);
  }

  get size(): number {
    return this.rows.length;
  }

  /**
   * Sets aside the active examples that `best` (over the active rows) marks fooled. Returns the local indices of the
   * examples that stay active, or null when none left (then nothing needs compacting).
   */
  retireFooled(best: Best): number[] | null {
    const flags = best.fooled.dataSync();
    const done: number[] = [];
    const keep: number[] = [];
    for (let k = 0; k < this.rows.length; k++) (flags[k] ? done : keep).push(k);
    if (done.length === 0) return null;
    this.write(done, best);
    this.rows = keep.map((k) => this.rows[k]!);
    return keep;
  }

  /** The run's result for every example of its batch: the points set aside plus the active ones in `best`. */
  finish(best: Best | null): Best {
    if (best !== null && this.rows.length > 0) this.write(this.rows.map((_, k) => k), best);
    this.rows = [];
    return { x: tf.tensor4d(this.outX, this.shape), loss: tf.tensor1d(this.outLoss), fooled: tf.tensor1d(this.outFooled, 'bool') };
  }

  private write(local: number[], best: Best): void {
    const sub = tf.tidy(() => {
      const idx = tf.tensor1d(local, 'int32');
      return [tf.gather(best.x, idx), tf.gather(best.loss, idx), tf.gather(best.fooled, idx)];
    });
    const [x, loss, fooled] = [sub[0]!.dataSync(), sub[1]!.dataSync(), sub[2]!.dataSync()];
    tf.dispose(sub);
    local.forEach((k, j) => {
      const row = this.rows[k]!;
      this.outX.set(x.subarray(j * this.per, (j + 1) * this.per), row * this.per);
      this.outLoss[row] = loss[j]!;
      this.outFooled[row] = fooled[j] ? 1 : 0;
    });
  }
}

/** Keeps rows `keep` of every tensor in `t` (disposing the old ones); for compacting a run's state. */
export function compact<T extends Record<string, tf.Tensor>>(t: T, keep: number[]): T {
  const idx = tf.tensor1d(keep, 'int32');
  const out = {} as Record<string, tf.Tensor>;
  for (const [k, v] of Object.entries(t)) {
    out[k] = tf.gather(v, idx);
    v.dispose();
  }
  idx.dispose();
  return out as T;
}
