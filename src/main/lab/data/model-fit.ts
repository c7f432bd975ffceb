// The rule that a model built from an experiment's hparams fits its dataset: the dataset's image size (one channel)
// and class count. The service applies it before a run is stored, the training worker when it loads the data.
import { LabError } from '../../../shared/errors';
import { type HParams } from '../../../shared/schemas';
import { type ImageDataset } from './dataset';

export function checkHParamsFitDataset(dataset: Pick<ImageDataset, 'id' | 'height' | 'width' | 'classNames'>, hparams: Pick<HParams, 'inputShape' | 'numClasses'>): void {
  const [h, w, c] = hparams.inputShape;
  if (dataset.height !== h || dataset.width !== w || c !== 1) {
    throw new LabError('invalid_argument', `hparams.inputShape must be [${dataset.height}, ${dataset.width}, 1] for dataset ${dataset.id} (got [${h}, ${w}, ${c}])`, 'hparams.inputShape');
  }
  if (hparams.numClasses !== dataset.classNames.length) {
    throw new LabError('invalid_argument', `hparams.numClasses must be ${dataset.classNames.length} for dataset ${dataset.id} (got ${hparams.numClasses})`, 'hparams.numClasses');
  }
}
