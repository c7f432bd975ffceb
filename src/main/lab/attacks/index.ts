// Public surface of the attacks module: FGSM, PGD, PGD-CW, APGD-CE/T, Square and AutoAttack perturbations, accuracy
// under attack with per-example masks, robustness curves, the first examples as scored (galleries).
export { ATTACK_KINDS, ATTACK_NORMS, DEFAULT_BATCH_SIZE, resolveAttackSpec, type AttackKind, type AttackNorm, type AttackSpec, type ResolvedAttack } from './spec';
export { type ImageInput, type LabelInput, type PixelData } from './inputs';
export { attackBatch, attackBatchStages, perturb } from './perturb';
export { evaluateAttack, robustnessCurve, type AbortSignalLike, type AttackAccuracy, type ComponentAccuracy, type EvaluateAttackArgs, type EvaluationArgs, type EvaluationProgress, type RobustnessCurve, type RobustnessCurveArgs } from './evaluate';
export { ExampleKeeper, type KeepRequest, type KeptExamples } from './kept-examples';
