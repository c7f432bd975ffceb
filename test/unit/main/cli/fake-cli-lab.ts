// Test helper: the fake LabService plus what the CLI also needs (close), with resumeRun recorded, and RunDetail records to answer with.
import { type RunDetail, type EvaluationRecord } from '../../../../src/shared/contract';
import { type CliLab } from '../../../../src/main/cli/context';
import { ExperimentConfigSchema } from '../../../../src/shared/schemas';
import { runConfigFor } from '../../../../src/main/lab/service/run-config';
import { createFakeLab, type FakeLab } from '../handlers/fake-lab';

export interface FakeCliLab extends FakeLab {
  cli: CliLab;
  closed: () => number;
  resumed: string[];
}

export function createFakeCliLab(): FakeCliLab {
  const lab = createFakeLab();
  let closed = 0;
  const resumed: string[] = [];
  const cli = Object.assign(Object.create(null) as object, lab.service, {
    resumeRun: async ({ runId }: { runId: string }) => {
      resumed.push(runId);
      return runDetail({ id: runId, status: 'queued' });
    },
    close: async () => {
      closed++;
    },
  }) as CliLab;
  return { ...lab, cli, closed: () => closed, resumed };
}

export function evaluation(over: Partial<EvaluationRecord>): EvaluationRecord {
  return {
    id: 1,
    runId: 'run_b1',
    sourceRunId: null,
    attack: 'clean',
    norm: 'infinity',
    epsilon: 0,
    steps: 0,
    stepSize: null,
    restarts: 1,
    randomStart: false,
    spec: null,
    accuracy: 0.9,
    perClassAccuracy: [],
    count: 400,
    correct: Math.round((over.accuracy ?? 0.9) * (over.count ?? 400)),
    interval: { low: 0, high: 1 },
    zeroGradFraction: null,
    subset: null,
    components: [],
    flags: [],
    hasMask: false,
    createdAt: '2025-01-01T00:00:00.000Z',
    hasGallery: false,
    modelEpoch: null,
    ...over,
  };
}

export function runDetail(over: Partial<RunDetail>): RunDetail {
  const role = over.role ?? 'base';
  return {
    id: 'run_b1',
    experimentId: 'exp_e1',
    experimentName: 'quick',
    name: `quick ${role}`,
    role,
    seed: 0,
    status: 'completed',
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: '2025-01-01T00:00:01.000Z',
    finishedAt: '2025-01-01T00:00:31.000Z',
    durationMs: 30_000,
    epochsDone: 1,
    epochs: 1,
    cleanAccuracy: 0.9,
    robustAccuracy: 0.1,
    robustLabel: 'PGD-20 ε0.2',
    headline: null,
    backend: 'tensorflow',
    tags: [],
    error: null,
    config: runConfigFor(ExperimentConfigSchema.parse({ name: 'quick' }), role),
    engine: null,
    notes: '',
    epochMetrics: [{ epoch: 1, metrics: { loss: 0.5, sparse_categorical_accuracy: 0.85 }, durationMs: 30_000 }],
    evaluations: [],
    ensembles: [],
    artifacts: [],
    attempts: [],
    ...over,
  };
}
