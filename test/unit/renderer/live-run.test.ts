// The Run page's live data against the store: stored batch points plus the live tail, one "epochs done", the
// experiment's time left, and what a run that ended says instead of "waiting".
import { describe, expect, it } from 'vitest';
import { experimentEta } from '../../../src/renderer/src/lib/experiment-eta';
import { checkpointToEvaluate, emptyChartText, epochsDoneOf, evaluationsEmptyText, liveBatches, pruneLive, runErrorText, trainingProgress } from '../../../src/renderer/src/lib/run-progress';

const b = (epoch: number, batch: number, perEpoch = 10) => ({ epoch, batch, step: (epoch - 1) * perEpoch + batch, metrics: { loss: 1 } });
const steps = (xs: { step: number }[]) => xs.map((x) => x.step);

describe('live batch points', () => {
  it('shows the stored points of finished epochs and live points only of the epoch still training', () => {
    const stored = [b(1, 1), b(1, 4), b(1, 7), b(1, 10)];
    // throttled live points of epoch 1 (the store sampled others) and of epoch 2
    const live = [b(1, 2), b(1, 9), b(2, 3), b(2, 6), b(2, 6)];
    expect(steps(liveBatches(stored, live))).toEqual([1, 4, 7, 10, 13, 16]);
    expect(steps(pruneLive(live, stored))).toEqual([13, 16, 16]);
  });

  it('opened mid-run and open from the start give the store’s points once the run ends', () => {
    const stored = [b(1, 1), b(1, 5), b(1, 10), b(2, 1), b(2, 5), b(2, 10)];
    const fromStart = [b(1, 1), b(1, 3), b(1, 8), b(2, 2), b(2, 9)];
    const midRun = [b(2, 9)];
    expect(liveBatches(stored, pruneLive(fromStart, stored))).toEqual(stored);
    expect(liveBatches(stored, pruneLive(midRun, stored))).toEqual(stored);
  });

  it('drops the abandoned epoch of a cancelled run once its live points are cleared, and counts stored epochs without points', () => {
    const stored = [b(1, 1), b(1, 10)];
    expect(steps(liveBatches(stored, [b(2, 4)]))).toEqual([1, 10, 14]);
    expect(liveBatches(stored, [])).toEqual(stored);
    expect(liveBatches([], [b(1, 3), b(2, 1)], 1).map((x) => x.epoch)).toEqual([2]);
  });
});

describe('epochs done and the progress bar', () => {
  const p = { runId: 'r', phase: 'train' as const, epoch: 4, epochs: 4, batch: 32, batches: 32, loss: null, accuracy: null, etaSeconds: 0 };

  it('takes the larger of the run record and the epochs seen', () => {
    expect(epochsDoneOf({ epochsDone: 2 }, [{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }])).toBe(3);
    expect(epochsDoneOf({ epochsDone: 3 }, [])).toBe(3);
  });

  it('never reads 100% or epoch 4/4 before the fourth epoch is stored', () => {
    const before = trainingProgress(p, 3);
    expect(before.fraction).toBeLessThan(1);
    expect(Math.round(before.fraction * 1000) / 10).toBeLessThan(100);
    expect(before.label).toBe('Training · 3/4 epochs done · epoch 4: batch 32/32');
    const after = trainingProgress(p, 4);
    expect(after).toEqual({ fraction: 1, label: 'Training · 4/4 epochs done' });
    expect(trainingProgress({ ...p, epoch: 2, batch: 16 }, 1).fraction).toBeCloseTo(1.5 / 4, 12);
    expect(trainingProgress({ ...p, phase: 'evaluate', batch: 1, batches: 4 }, 4)).toEqual({ fraction: 0.25, label: 'Evaluating · batch 1/4' });
  });
});

describe('a run that ended', () => {
  it('says why its charts are empty instead of waiting', () => {
    expect(emptyChartText('failed', 'model.json is missing', 'batches')).toBe('No batches were recorded: the run failed (model.json is missing)');
    expect(emptyChartText('cancelled', null, 'epochs')).toBe('No epoch finished before the run was cancelled');
    expect(emptyChartText('running', null, 'batches')).toBe('Waiting for the first batches…');
  });

  it('names the Resume button instead of the CLI command when the page has one', () => {
    const msg = 'the lab stopped while this run was training; resume with `rlab resume <id>`';
    expect(runErrorText('interrupted', msg, true)).toBe('This run was interrupted: the lab stopped while this run was training. Resume continues it after its last finished epoch.');
    expect(runErrorText('interrupted', msg, false)).toBe(`This run was interrupted: ${msg}`);
    expect(runErrorText('failed', 'boom', true)).toBe('This run failed: boom');
  });

  it('does not promise the attack suite to a run without a model', () => {
    expect(evaluationsEmptyText({ status: 'running', artifacts: [] })).toMatch(/runs after training/);
    expect(evaluationsEmptyText({ status: 'cancelled', artifacts: [] })).toBe('No evaluations: training did not finish, so there is no model to attack. Resuming it finishes training, and its attack suite then runs.');
    expect(evaluationsEmptyText({ status: 'cancelled', artifacts: [{ kind: 'model' }] })).toBe('No evaluations: the run was cancelled before its attack suite ran.');
  });

  it('offers both choices to a stopped run with a finished epoch and no model: resume, or evaluate that epoch now', () => {
    expect(evaluationsEmptyText({ status: 'cancelled', epochsDone: 3, artifacts: [{ kind: 'checkpoint' }] })).toBe(
      'No evaluations: training did not finish, so there is no final model to attack. Resuming it finishes training, and its attack suite then runs; or evaluate epoch 3 to run the suite on that epoch\'s checkpoint now (its numbers are marked "epoch 3 checkpoint").',
    );
  });

  it('offers the last finished epoch\'s checkpoint only to a stopped trained run without a model', () => {
    expect(checkpointToEvaluate({ status: 'cancelled', epochsDone: 2, artifacts: [] })).toBe(2);
    expect(checkpointToEvaluate({ status: 'interrupted', epochsDone: 1, artifacts: [] })).toBe(1);
    expect(checkpointToEvaluate({ status: 'failed', epochsDone: 4, artifacts: [{ kind: 'checkpoint' }] })).toBe(4);
    expect(checkpointToEvaluate({ status: 'cancelled', epochsDone: 0, artifacts: [] })).toBeNull();
    expect(checkpointToEvaluate({ status: 'cancelled', epochsDone: 2, artifacts: [{ kind: 'model' }] })).toBeNull();
    expect(checkpointToEvaluate({ status: 'running', epochsDone: 2, artifacts: [] })).toBeNull();
    expect(checkpointToEvaluate({ status: 'completed', epochsDone: 2, artifacts: [] })).toBeNull();
    expect(checkpointToEvaluate({ status: 'cancelled', epochsDone: 2, kind: 'imported', artifacts: [] })).toBeNull();
  });
});

describe('experiment time left', () => {
  const estimate = { runs: [{ label: 'base', trainingSeconds: 60, evaluationSecondsAtMost: 30 }, { label: 'nsl', trainingSeconds: 120, evaluationSecondsAtMost: 60 }] };

  it('adds the running run’s ETA (and its attacks) to the queued runs’ estimates', () => {
    const eta = experimentEta([{ id: 'a', status: 'running' }, { id: 'b', status: 'queued' }], estimate, new Map([['a', { etaSeconds: 30, phase: 'train' as const }]]));
    expect(eta).toEqual({ seconds: 30 + 30 + 180, running: 1, queued: 1, text: 'Experiment: about 4 min left · 1 running, 1 queued' });
  });

  it('says it does not know rather than inventing a number, and is null when nothing is left', () => {
    expect(experimentEta([{ id: 'a', status: 'running' }, { id: 'b', status: 'queued' }], null, new Map([['a', { etaSeconds: 30, phase: 'train' as const }]]))?.text).toBe('Experiment: time left not known yet · 1 running, 1 queued');
    expect(experimentEta([{ id: 'a', status: 'completed' }, { id: 'b', status: 'failed' }], estimate, new Map())).toBeNull();
  });
});
