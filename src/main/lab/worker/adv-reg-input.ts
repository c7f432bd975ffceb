// The run's AdvRegConfig in the NSL module's form, checked by NSL's own rules; free of tensors so the host can use it too.
import { type RunConfig } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { makeAdvRegConfig, type AdvRegConfigInput, type FeatureMaskValue } from '../nsl/config';

/** The schema's AdvRegConfig in the NSL module's form: the flat per-pixel featureMask becomes [h][w][c] so it broadcasts over a batch. */
export function advRegInput(config: RunConfig): AdvRegConfigInput {
  const { featureMask, ...rest } = config.advReg;
  const out: AdvRegConfigInput = { ...rest };
  if (featureMask !== undefined) {
    const [h, w, c] = config.hparams.inputShape;
    if (featureMask.length !== h * w * c) {
      throw new LabError('invalid_argument', `advReg.featureMask must have ${h * w * c} entries, one per input value (got ${featureMask.length})`, 'advReg.featureMask');
    }
    const nested: FeatureMaskValue = Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => featureMask.slice((y * w + x) * c, (y * w + x + 1) * c)));
    out.featureMask = nested;
  }
  return out;
}

/** Throws the LabError NSL's makeAdvRegConfig would (e.g. randomInit without pgdEpsilon), prefixed with advReg. */
export function checkAdvReg(config: RunConfig): void {
  try {
    makeAdvRegConfig(advRegInput(config));
  } catch (err) {
    const e = LabError.wrap(err, 'invalid_argument');
    throw new LabError(e.code, e.message.startsWith('advReg') ? e.message : `advReg.${e.message}`, e.field && !e.field.startsWith('advReg') ? `advReg.${e.field}` : e.field);
  }
}
