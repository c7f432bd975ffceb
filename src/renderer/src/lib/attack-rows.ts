// One attack of the New-experiment form's suite as typed text, and its translation to the request: an empty field is
// left out (so the attack's own default from src/shared/attacks.ts applies), a field the attack does not take is
// never sent, and the placeholders show the defaults from the same table.
import { ATTACK_DEFAULTS, ATTACK_KINDS, type AttackDefaults, type AttackKind, type AttackNorm } from '../../../shared/attacks';
import { type AttackSpec, type ExperimentConfigInput } from '../../../shared/schemas';

export type AttackField = AttackDefaults['editable'][number];
export const ATTACK_FIELDS: readonly AttackField[] = ['steps', 'stepSize', 'randomStart', 'restarts', 'targets', 'queries', 'pInit'];

export interface AttackRow {
  attack: AttackKind;
  norm: AttackNorm;
  epsilons: string;
  /** '' = the attack's default. */
  steps: string;
  stepSize: string;
  restarts: string;
  targets: string;
  queries: string;
  pInit: string;
  /** null = the attack's default. */
  randomStart: boolean | null;
  source: 'self' | 'base';
  /** How many of the run's test images to attack; '' = all of them. */
  testSize: string;
}

export const ATTACK_TITLES: Record<AttackKind, string> = {
  fgsm: 'FGSM',
  pgd: 'PGD',
  'pgd-cw': 'PGD (CW loss)',
  'apgd-ce': 'APGD-CE',
  'apgd-t': 'APGD-T',
  square: 'Square',
  autoattack: 'AutoAttack',
};

export { ATTACK_KINDS };

const text = (v: number | undefined): string => (v === undefined ? '' : String(v));

export function takes(kind: AttackKind, field: AttackField): boolean {
  return ATTACK_DEFAULTS[kind].editable.includes(field);
}

/** What an empty field means for this attack, e.g. "10", "2.5·ε/steps", "fixed: 1". */
export function placeholderOf(kind: AttackKind, field: Exclude<AttackField, 'randomStart'>): string {
  const d = ATTACK_DEFAULTS[kind];
  if (field === 'stepSize') {
    const rule = kind === 'fgsm' ? 'ε' : kind === 'pgd' || kind === 'pgd-cw' ? '2.5·ε/steps' : kind === 'square' ? '—' : '2ε, adapted';
    return takes(kind, field) ? rule : `fixed: ${rule}`;
  }
  const value = field === 'targets' && kind === 'apgd-t' ? `${d.targets} (≤ classes − 1)` : String(d[field]);
  return takes(kind, field) ? value : `fixed: ${value}`;
}

export function newAttackRow(kind: AttackKind, epsilons: string, source: 'self' | 'base' = 'self'): AttackRow {
  return { attack: kind, norm: 'infinity', epsilons, steps: '', stepSize: '', restarts: '', targets: '', queries: '', pInit: '', randomStart: null, source, testSize: '' };
}

/** A config's attack (e.g. a preset's) as a row; fields it leaves out stay empty. */
export function attackRowOf(a: AttackSpec): AttackRow {
  return {
    attack: a.attack, norm: a.norm, epsilons: a.epsilons.join(', '), steps: text(a.steps), stepSize: text(a.stepSize), restarts: text(a.restarts),
    targets: text(a.targets), queries: text(a.queries), pInit: text(a.pInit), randomStart: a.randomStart ?? null, source: a.source === 'base' ? 'base' : 'self',
    testSize: text(a.testSize),
  };
}

const numberOrNaN = (t: string): number => Number(t.trim());

/** The row as the request says it: only the fields this attack takes and the user filled in. */
export function attackInputOf(r: AttackRow, epsilons: number[]): NonNullable<ExperimentConfigInput['attacks']>[number] {
  const out: NonNullable<ExperimentConfigInput['attacks']>[number] = { attack: r.attack, norm: r.norm, epsilons, source: r.source };
  for (const f of ['steps', 'stepSize', 'restarts', 'targets', 'queries', 'pInit'] as const) {
    if (takes(r.attack, f) && r[f].trim() !== '') out[f] = numberOrNaN(r[f]);
  }
  if (takes(r.attack, 'randomStart') && r.randomStart !== null) out.randomStart = r.randomStart;
  if (r.testSize.trim() !== '') out.testSize = numberOrNaN(r.testSize);
  return out;
}
