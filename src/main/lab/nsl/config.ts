// The NSL module's config is the shared AdvRegConfig (src/shared/schemas.ts): NSL 1.4's AdvRegConfig +
// AdvNeighborConfig, camel-cased, with NSL's defaults. This file only completes and checks a request with it.
import { type AdvRegConfig, type AdvRegConfigInput, AdvRegSchema } from '../../../shared/schemas';
import { parseOrThrow } from '../../../shared/validate';

export type { AdvRegConfig, AdvRegConfigInput };

/** How adversarial neighbours are generated (NSL's AdvNeighborConfig): the AdvRegConfig without its multiplier. */
export type AdvNeighborConfig = Omit<AdvRegConfig, 'multiplier'>;

/**
 * NSL's `make_adv_reg_config`: the shared schema fills NSL's defaults and applies its rules (ranges,
 * clipValueMin ≤ clipValueMax, no pgdEpsilon with 'l1'). Throws a LabError naming the field.
 */
export function makeAdvRegConfig(input: AdvRegConfigInput = {}): AdvRegConfig {
  return parseOrThrow(AdvRegSchema, input);
}
