// Checks a run's AdvRegConfig against its model before anything is stored; free of tensors so the host can use it too.
import { type RunConfig } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { makeAdvRegConfig } from '../nsl/config';

/**
 * The shared schema's rules (makeAdvRegConfig) plus the one the schema alone cannot check: featureMask holds one
 * value per input value of the model (inputShape h·w·c). Errors name the field under advReg.
 */
export function checkAdvReg(config: RunConfig): void {
  try {
    const advReg = makeAdvRegConfig(config.advReg);
    const [h, w, c] = config.hparams.inputShape;
    if (advReg.featureMask !== undefined && advReg.featureMask.length !== h * w * c) {
      throw new LabError('invalid_argument', `featureMask must have ${h * w * c} entries, one per input value of the ${h}×${w}×${c} input (got ${advReg.featureMask.length})`, 'featureMask');
    }
  } catch (err) {
    const e = LabError.wrap(err, 'invalid_argument');
    throw new LabError(e.code, e.message.startsWith('advReg') ? e.message : `advReg.${e.message}`, e.field && !e.field.startsWith('advReg') ? `advReg.${e.field}` : e.field);
  }
}
