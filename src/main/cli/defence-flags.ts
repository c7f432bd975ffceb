// `rlab run --defence METHOD[,METHOD...]` and the flags of the defences' parameters, in one table: each flag names the
// field of src/shared/defences.ts it sets. Values are only turned from text into numbers and switches here; their
// ranges are the shared schema's to check (the service's refusal comes back named by these flags, field-flags.ts).
import { DEFENCE_FIELDS, DEFENCE_INFO, DEFENCE_METHODS, DefenceSchema, type DefenceInput, type DefenceMethod } from '../../shared/defences';
import { type FlagSpec, type Flags, UsageError } from './args';

export interface DefenceFlag {
  /** Long name without dashes. */
  name: string;
  /** The defence field it sets (a name in DEFENCE_FIELDS). */
  field: string;
  kind: 'number' | 'int' | 'norm' | 'on' | 'off';
  /** Only this method's field (`beta` is TRADES's and MART's, each with its own flag); default every method that has the field. */
  only?: DefenceMethod;
  value?: string;
  help: string;
}

export const DEFENCE_FLAGS: readonly DefenceFlag[] = [
  { name: 'defence-norm', field: 'norm', kind: 'norm', value: 'infinity|l2', help: 'norm of the training perturbation' },
  { name: 'eps', field: 'epsilon', kind: 'number', value: 'X', help: 'training ε (∞: (0, 1], l2: (0, 28])' },
  { name: 'attack-steps', field: 'steps', kind: 'int', value: 'N', help: 'inner maximisation steps' },
  { name: 'attack-step-size', field: 'stepSize', kind: 'number', value: 'X', help: 'inner step size, in (0, ε]' },
  { name: 'eps-ramp-epochs', field: 'epsilonRampEpochs', kind: 'number', value: 'N', help: 'grow the training ε linearly from 0 over this many epochs (0 = off)' },
  { name: 'random-start', field: 'randomStart', kind: 'on', help: 'start the inner PGD from a random point of the ε-ball' },
  { name: 'no-random-start', field: 'randomStart', kind: 'off', help: 'start the inner PGD from the clean image' },
  { name: 'trades-beta', field: 'beta', kind: 'number', only: 'trades', value: 'X', help: 'weight β of the KL term (≥ 0)' },
  { name: 'mart-beta', field: 'beta', kind: 'number', only: 'mart', value: 'X', help: 'weight β of the weighted KL term (≥ 0)' },
  { name: 'fast-alpha', field: 'alpha', kind: 'number', value: 'X', help: 'FGSM step α, in (0, 2.5·ε]' },
  { name: 'lr-max', field: 'lrMax', kind: 'number', value: 'X', help: 'peak of the cyclic learning rate, in (0, 1]' },
  { name: 'no-cyclic-lr', field: 'cyclicLr', kind: 'off', help: 'train with --lr instead of the cyclic learning rate' },
  { name: 'no-overfit-guard', field: 'overfitGuard', kind: 'off', help: 'no early stop on catastrophic overfitting' },
  { name: 'overfit-drop', field: 'overfitDrop', kind: 'number', value: 'X', help: 'stop when PGD accuracy falls this far below the best epoch, in (0, 1]' },
];

/** The methods whose parameters include the flag's field, in DEFENCE_METHODS order. */
export function methodsTaking(f: DefenceFlag): DefenceMethod[] {
  return f.only !== undefined ? [f.only] : DEFENCE_METHODS.filter((m) => DEFENCE_FIELDS[m].includes(f.field));
}

/** What a method does when the flag is left out, from the schema's own defaults (fast-at's α follows ε). */
function defaultsText(f: DefenceFlag): string {
  const byMethod = methodsTaking(f).map((m) => {
    const v = (DefenceSchema.parse({ method: m }) as Record<string, unknown>)[f.field];
    return { m, text: v === undefined ? (f.field === 'alpha' ? '1.25·ε' : 'none') : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v) };
  });
  const texts = [...new Set(byMethod.map((d) => d.text))];
  return texts.length === 1 ? texts[0]! : byMethod.map((d) => `${d.m} ${d.text}`).join(', ');
}

function flagSpec(f: DefenceFlag): FlagSpec {
  const takes = methodsTaking(f).join(', ');
  const onOff = f.kind === 'on' || f.kind === 'off';
  return {
    name: f.name,
    type: onOff ? 'boolean' : 'string',
    ...(f.value === undefined ? {} : { value: f.value }),
    help: `${f.help} [${takes}; default ${defaultsText(f)}]`,
  };
}

export const DEFENCE_FLAG_SPECS: readonly FlagSpec[] = [
  {
    name: 'defence',
    type: 'string',
    value: 'METHOD[,METHOD..]',
    help: `train one model per defence (${DEFENCE_METHODS.join(', ')}); standard is the base run; default: base + NSL`,
  },
  ...DEFENCE_FLAGS.map(flagSpec),
];

function valueOf(f: DefenceFlag, flags: Flags): unknown {
  switch (f.kind) {
    case 'number':
      return flags.number(f.name);
    case 'int':
      return flags.int(f.name);
    case 'norm':
      return flags.string(f.name);
    case 'on':
    case 'off': {
      const given = flags.optionalBool(f.name);
      return given === undefined ? undefined : f.kind === 'on' ? given : !given;
    }
  }
}

export interface DefenceChoice {
  /** Undefined when no --defence was given: the starting config's defences and runs stay. */
  runs?: ('base' | 'adv')[];
  defences?: DefenceInput[];
}

/**
 * --defence and its parameter flags as config fields. A parameter flag that none of the chosen defences takes is
 * refused here, naming the defences that do: it would otherwise be silently ignored.
 */
export function defenceChoice(flags: Flags, from: readonly DefenceInput[] | undefined): DefenceChoice {
  const list = flags.string('defence')?.split(',').map((s) => s.trim());
  if (list !== undefined && (list.length === 0 || list.some((m) => !(DEFENCE_METHODS as readonly string[]).includes(m)))) {
    throw new UsageError(`--defence must be a comma-separated list of ${DEFENCE_METHODS.join(', ')} (got "${flags.string('defence')}")`);
  }
  if (list !== undefined && new Set(list).size !== list.length) throw new UsageError(`--defence must not repeat a method (got "${flags.string('defence')}")`);
  const methods = (list ?? []) as DefenceMethod[];
  const adv = methods.filter((m) => m !== 'standard');
  // without --defence, the parameter flags apply to the starting config's defences (a --config file's)
  const defences: DefenceInput[] = list === undefined ? (from ?? []).map((d) => ({ ...d })) : adv.map((method) => ({ method }) as DefenceInput);
  for (const f of DEFENCE_FLAGS) {
    if (!flags.has(f.name)) continue;
    const takers = methodsTaking(f);
    const targets = defences.filter((d) => takers.includes(d.method));
    if (targets.length === 0) {
      const chosen = defences.length ? defences.map((d) => d.method).join(', ') : list === undefined ? 'the default nsl' : 'standard only';
      throw new UsageError(`--${f.name} is a parameter of ${takers.join(', ')}; the defences here are ${chosen} (give --defence ${takers[0]})`);
    }
    const other = DEFENCE_FLAGS.find((g) => g !== f && g.field === f.field && flags.has(g.name) && methodsTaking(g).some((m) => takers.includes(m)));
    if (other) throw new UsageError(`give either --${f.name} or --${other.name}, not both`);
    const value = valueOf(f, flags);
    for (const d of targets) (d as Record<string, unknown>)[f.field] = value;
  }
  if (list === undefined) return defences.length && DEFENCE_FLAGS.some((f) => flags.has(f.name)) ? { defences } : {};
  return { runs: adv.length ? ['base', 'adv'] : ['base'], ...(adv.length ? { defences } : {}) };
}

/** The defences for `rlab help run`: each method's one line and reference, and the flags it takes. */
export function defencesHelp(): string {
  const w = Math.max(...DEFENCE_METHODS.map((m) => m.length));
  const rows = DEFENCE_METHODS.map((m) => {
    const flags = DEFENCE_FLAGS.filter((f) => methodsTaking(f).includes(m)).map((f) => `--${f.name}`);
    const takes = m === 'nsl' ? 'the --adv-* and --pgd-* flags' : flags.length ? flags.join(' ') : 'no parameters';
    const ref = DEFENCE_INFO[m].reference ? ` (${DEFENCE_INFO[m].reference})` : '';
    return `  ${m.padEnd(w)}  ${DEFENCE_INFO[m].summary}${ref}\n  ${''.padEnd(w)}  takes ${takes}`;
  });
  return ['defences (--defence; a parameter flag applies to every chosen defence that takes it):', ...rows].join('\n');
}
