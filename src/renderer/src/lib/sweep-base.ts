// A sweep's base config in one line, so a person sees what every cell starts from before the axes change it.
import { defenceLabel } from '../../../shared/defences';
import { ExperimentConfigSchema, type ExperimentConfigInput } from '../../../shared/schemas';

/** "mnist-sample, 1,600 train / 400 test · 1 epoch, batch 32 · base + adv (adv) · seeds 0"; what the schema fills in counts. */
export function baseSummary(input: ExperimentConfigInput): string {
  const r = ExperimentConfigSchema.safeParse(input);
  if (!r.success) return input.name ?? 'a config';
  const c = r.data;
  const ds = c.data.dataset.kind === 'imported' ? `imported:${c.data.dataset.id}` : c.data.dataset.kind;
  const n = (x: number) => x.toLocaleString('en');
  const models = c.runs.map((role) => (role === 'base' ? 'base' : `adv (${c.defences.map(defenceLabel).join(', ')})`)).join(' + ');
  return [
    c.name,
    `${ds}, ${n(c.data.trainSize)} train / ${n(c.data.testSize)} test`,
    `${c.hparams.model}, ${c.hparams.epochs} epoch${c.hparams.epochs === 1 ? '' : 's'}, batch ${c.hparams.batchSize}, lr ${c.hparams.learningRate}`,
    models,
    `seed${c.seeds.length === 1 ? '' : 's'} ${c.seeds.join(', ')}`,
    `${c.attacks.length} attack${c.attacks.length === 1 ? '' : 's'}`,
  ].join(' · ');
}
