// A run's test examples as the attack module takes them; free of tensors, so the host can build one without TF.js.
import { type ImageDataset } from '../data/dataset';
import { type TestSet } from './evaluations';
import { subsetOf } from './test-subset';

/** The test examples copied into one contiguous uint8 block, the form the attack module converts batch by batch. */
export function testSetOf(ds: ImageDataset, indices: Uint32Array, splitSeed: number): TestSet {
  const per = ds.height * ds.width;
  const pixels = new Uint8Array(indices.length * per);
  const labels = new Uint8Array(indices.length);
  indices.forEach((idx, k) => {
    pixels.set(ds.images.subarray(idx * per, (idx + 1) * per), k * per);
    labels[k] = ds.labels[idx]!;
  });
  return { images: { pixels, shape: [indices.length, ds.height, ds.width, 1] }, labels, classNames: [...ds.classNames], subset: subsetOf(ds.id, splitSeed, indices) };
}
