// Public surface of the NSL core: config, neighbour generation, norms and the AdversarialRegularization wrapper.
export { type AdvGradNorm, normalizeDirection, projectPerturbation, perExample, zeroNonFinite } from './norms';
export { type AdvNeighborConfig, type AdvRegConfig, type AdvRegConfigInput, makeAdvRegConfig } from './config';
export { randomInNormBall } from './random-init';
export { type AdvNeighborArgs, type RandomStart, featureMaskTensor, genAdvNeighbors } from './neighbors';
export { type ModelHead, makeModelHead, sparseAccuracy, sparseCrossEntropy } from './model-head';
export { type Batch, type BatchSource, type MetricName, type MetricValues, type StepMetrics, METRIC_NAMES } from './metrics';
export { type EpochLogs, type FitArgs, type FitCallbacks, type History, readMetrics } from './training-loop';
export { type AdversarialRegularizationOptions, type CompileArgs, type StepGradients, AdversarialRegularization } from './adversarial-regularization';
export { installFastGradients } from './fast-gradients';
export { type FlatAdamArgs, FlatAdam } from './flat-adam';
