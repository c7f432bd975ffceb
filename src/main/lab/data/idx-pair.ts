// Reads an IDX images file and its labels file as one set of examples, checking that they belong together.
import { LabError } from '../../../shared/errors';
import { IMAGE_HEIGHT, IMAGE_WIDTH } from './dataset';
import { readIdxFile } from './idx';

/** Images and labels of one IDX pair; images are count × height × width bytes. */
export interface ImageLabelPair {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

export interface IdxPairOptions {
  /** Required image height (default 28). */
  height?: number;
  /** Required image width (default 28). */
  width?: number;
}

/** Reads and checks a pair: images must be [N, height, width], labels [N], both raw or gzipped IDX. */
export async function readIdxPair(imagesFile: string, labelsFile: string, options: IdxPairOptions = {}): Promise<ImageLabelPair> {
  const height = options.height ?? IMAGE_HEIGHT;
  const width = options.width ?? IMAGE_WIDTH;
  const [images, labels] = await Promise.all([readIdxFile(imagesFile), readIdxFile(labelsFile)]);
  if (images.dims.length !== 3) {
    throw new LabError('invalid_argument', `${imagesFile} has dimensions [${images.dims.join(', ')}]; an images file needs 3 (count, ${height}, ${width})`, 'images');
  }
  const [count, h, w] = images.dims as [number, number, number];
  if (h !== height || w !== width) {
    throw new LabError('invalid_argument', `${imagesFile} holds ${h}×${w} images; the lab needs ${height}×${width}`, 'images');
  }
  if (labels.dims.length !== 1) {
    throw new LabError('invalid_argument', `${labelsFile} has dimensions [${labels.dims.join(', ')}]; a labels file needs 1 (count)`, 'labels');
  }
  if (labels.dims[0] !== count) {
    throw new LabError('invalid_argument', `${imagesFile} has ${count} images but ${labelsFile} has ${labels.dims[0]} labels; they must match`, 'labels');
  }
  return { images: images.data, labels: labels.data, count, height, width };
}

/** Joins a training pair and a test pair into one pool, training examples first. */
export function concatPairs(train: ImageLabelPair, test: ImageLabelPair): ImageLabelPair {
  const images = new Uint8Array(train.images.length + test.images.length);
  images.set(train.images, 0);
  images.set(test.images, train.images.length);
  const labels = new Uint8Array(train.count + test.count);
  labels.set(train.labels, 0);
  labels.set(test.labels, train.count);
  return { images, labels, count: train.count + test.count, height: train.height, width: train.width };
}
