// Hash routes, and the Run page's merging of streamed metrics and its progress fraction.
import { describe, expect, it } from 'vitest';
import { compareHref, href, parseHash, parseRunIds } from '../../../src/renderer/src/lib/routes';
import { mergeBatches, progressFraction, upsertEpoch } from '../../../src/renderer/src/lib/run-progress';

describe('routes', () => {
  it('parses page, argument and query, landing unknown hashes on Experiments', () => {
    const r = parseHash('#/run/run_ab12');
    expect([r.page, r.arg]).toEqual(['run', 'run_ab12']);
    const c = parseHash('#/compare?runs=run_a,run_b');
    expect(parseRunIds(c.query.get('runs'))).toEqual(['run_a', 'run_b']);
    expect(parseHash('').page).toBe('experiments');
    expect(parseHash('#/nowhere/x').page).toBe('experiments');
  });

  it('builds links that parse back, dropping empty query values', () => {
    expect(href('gallery', null, { run: 'run_a', eval: 3, run2: '', eval2: null })).toBe('#/gallery?run=run_a&eval=3');
    expect(parseHash(href('run', 'run_x')).arg).toBe('run_x');
    expect(compareHref(['run_a', 'run_b'])).toBe('#/compare?runs=run_a%2Crun_b');
    expect(parseRunIds(parseHash(compareHref(['run_a', 'run_b'])).query.get('runs'))).toEqual(['run_a', 'run_b']);
  });

  it('drops blank and repeated run ids', () => {
    expect(parseRunIds(' run_a,,run_b,run_a ')).toEqual(['run_a', 'run_b']);
    expect(parseRunIds(null)).toEqual([]);
  });
});

describe('run progress', () => {
  const b = (step: number) => ({ epoch: 1, batch: step, step, metrics: { loss: 1 / step } });

  it('appends only streamed batches newer than what was loaded', () => {
    expect(mergeBatches([b(1), b(2)], [b(2), b(3), b(3), b(4)]).map((x) => x.step)).toEqual([1, 2, 3, 4]);
    expect(mergeBatches([], [b(5)]).map((x) => x.step)).toEqual([5]);
  });

  it('replaces an epoch that arrives twice and keeps epochs in order', () => {
    const e = (epoch: number, loss: number) => ({ epoch, metrics: { loss }, durationMs: 1 });
    expect(upsertEpoch([e(1, 1), e(3, 3)], e(2, 2)).map((x) => x.epoch)).toEqual([1, 2, 3]);
    expect(upsertEpoch([e(1, 1)], e(1, 9))).toEqual([e(1, 9)]);
  });

  it('counts finished epochs plus the batch within the current one', () => {
    const p = { runId: 'run_a', phase: 'train' as const, epoch: 2, epochs: 4, batch: 5, batches: 10, loss: null, accuracy: null, etaSeconds: null };
    expect(progressFraction(p)).toBeCloseTo(15 / 40, 12);
    expect(progressFraction({ ...p, phase: 'evaluate', batch: 3, batches: 4 })).toBe(0.75);
    expect(progressFraction({ ...p, batches: 0 })).toBe(0);
  });
});
