// Public surface of the attacks module: FGSM/PGD perturbations, accuracy under attack, robustness curves, galleries.
export { ATTACK_KINDS, ATTACK_NORMS, DEFAULT_BATCH_SIZE, DEFAULT_PGD_STEPS, resolveAttackSpec, type AttackKind, type AttackNorm, type AttackSpec, type ResolvedAttack } from './spec';
export { type ImageInput, type LabelInput, type PixelData } from './inputs';
export { perturb } from './perturb';
export { evaluateAttack, robustnessCurve, type AbortSignalLike, type AttackAccuracy, type EvaluateAttackArgs, type EvaluationArgs, type EvaluationProgress, type RobustnessCurve, type RobustnessCurveArgs } from './evaluate';
export { sampleGallery, type Gallery, type GalleryArgs, type GalleryPrediction, type GallerySample } from './gallery';
