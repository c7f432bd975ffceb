// The identity of a test subset: which dataset, which seed chose it, and a digest of the exact example indices in order.
import { createHash } from 'node:crypto';
import { type TestSubset } from '../../../shared/contract';

/** sha-256 over the dataset id and the indices (uint32 little-endian), first 16 hex digits: equal only for the same images in the same order. */
export function subsetOf(dataset: string, splitSeed: number, indices: Uint32Array): TestSubset {
  const bytes = Buffer.alloc(indices.length * 4);
  indices.forEach((v, i) => bytes.writeUInt32LE(v, i * 4));
  const indicesHash = createHash('sha256').update(dataset).update('\0').update(bytes).digest('hex').slice(0, 16);
  return { dataset, splitSeed, size: indices.length, indicesHash };
}
