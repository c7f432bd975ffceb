// The sweep request's fields as `rlab sweep` flags, for its refusals (config paths inside a message stay as written:
// they are what --grid takes).
import { type FieldFlags } from './flag-errors';

export const SWEEP_FIELD_FLAGS: FieldFlags = {
  'spec.axes': '--grid',
  'spec.random': '--random',
  'spec.randomSeed': '--random-seed',
  'spec.seeds': '--seeds',
  'spec.name': '--name',
  yes: '--yes',
  workers: '--workers',
  sweepId: '<sweep_id>',
};
