// Headlines are named in full and ranked only against headlines of the same attack, norm, ε and test images.
import { describe, expect, it } from 'vitest';
import { comparableHeadlines, headlineName, incomparableReason, referenceHeadline, type Headline } from '../../../src/shared/headline';
import { wilsonInterval } from '../../../src/shared/wilson';

const h = (over: Partial<Headline> = {}): Headline => ({
  accuracy: 0.41, correct: 820, count: 2000, interval: { low: 0.39, high: 0.43 }, attack: 'AutoAttack', norm: 'infinity', epsilon: 0.2,
  dataset: 'mnist-sample', indicesHash: 'abcdef0123456789', flags: [], ...over,
});

describe('headlines', () => {
  it('are named in full, with the seed count when aggregated', () => {
    expect(headlineName(h())).toBe('AutoAttack ∞ ε0.2, 2,000 images');
    expect(headlineName(h({ count: 10_000 }), 3)).toBe('AutoAttack ∞ ε0.2, 10,000 images, 3 seeds');
    expect(headlineName(h({ attack: 'worst of FGSM, PGD-20', count: 400 }), 1)).toBe('worst of FGSM, PGD-20 ∞ ε0.2, 400 images, 1 seed');
  });

  it('are comparable only when attack, norm, ε, image count and indices all match', () => {
    expect(comparableHeadlines(h(), h({ accuracy: 0.1, correct: 200 }))).toBe(true);
    expect(comparableHeadlines(h(), h({ epsilon: 0.2 + 1e-12 }))).toBe(true);
    for (const other of [h({ attack: 'worst of FGSM, PGD-20' }), h({ norm: 'l2' }), h({ epsilon: 0.3 }), h({ count: 1000 }), h({ indicesHash: '0000000000000000' }), h({ dataset: 'mnist' })]) {
      expect(comparableHeadlines(h(), other)).toBe(false);
    }
    expect(comparableHeadlines(h(), null)).toBe(false);
  });

  it('the reference is the headline most runs share, and the others say why they are not ranked', () => {
    const runs = [{ headline: h({ count: 400 }) }, { headline: h() }, { headline: null }, { headline: h({ accuracy: 0.2 }) }];
    const ref = referenceHeadline(runs);
    expect(ref).toBe(runs[1]!.headline);
    expect(incomparableReason(runs[3]!.headline, ref)).toBeNull();
    expect(incomparableReason(runs[0]!.headline, ref)).toMatch(/^incomparable: test images mnist-sample 400 #abcdef01 vs mnist-sample 2,000/);
    expect(incomparableReason(null, ref)).toMatch(/no headline/);
    expect(referenceHeadline([{ headline: null }])).toBeNull();
  });
});

describe('a checkpoint\'s headline', () => {
  it('is named for its checkpoint and never ranked against a final model\'s', () => {
    expect(headlineName(h({ modelEpoch: 3 }))).toBe('AutoAttack ∞ ε0.2, 2,000 images (epoch 3 checkpoint)');
    expect(comparableHeadlines(h({ modelEpoch: 3 }), h({ modelEpoch: 3, accuracy: 0.5 }))).toBe(true);
    expect(comparableHeadlines(h({ modelEpoch: 3 }), h())).toBe(false);
    expect(comparableHeadlines(h({ modelEpoch: 3 }), h({ modelEpoch: 2 }))).toBe(false);
    expect(incomparableReason(h({ modelEpoch: 3 }), h())).toBe('incomparable: model epoch 3 checkpoint vs final model');
  });
});

describe('wilsonInterval', () => {
  it('matches the closed form at known points and stays inside [0, 1]', () => {
    const a = wilsonInterval(3, 8);
    expect(a.low).toBeCloseTo(0.13684, 4);
    expect(a.high).toBeCloseTo(0.69425, 4);
    expect(wilsonInterval(0, 48)).toEqual({ low: 0, high: expect.closeTo(0.0741, 4) });
    expect(wilsonInterval(2000, 2000).high).toBe(1);
    expect(wilsonInterval(2000, 2000).low).toBeCloseTo(0.99808, 4);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});
