import { describe, expect, it } from 'vitest';
import { BatchSampler, etaSeconds, MetricMeans, Throttle } from '../../../../../src/main/lab/worker/progress';

describe('Throttle', () => {
  it('lets at most one message through per interval unless forced', () => {
    let now = 0;
    const t = new Throttle(100, () => now);
    const passed: number[] = [];
    for (now = 0; now < 1000; now += 10) if (t.ready()) passed.push(now);
    expect(passed).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    now = 905;
    expect(t.ready()).toBe(false);
    expect(t.ready(true)).toBe(true);
  });
});

describe('BatchSampler', () => {
  it('keeps every batch of a short epoch', () => {
    const s = new BatchSampler(8);
    for (let b = 1; b <= 8; b++) s.add(1, b, b, { loss: b });
    expect(s.take().map((p) => p.batch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.take()).toEqual([]);
  });

  it('downsamples a long epoch to evenly spaced points including the first and last batch', () => {
    const s = new BatchSampler(1000, 100);
    for (let b = 1; b <= 1000; b++) s.add(2, b, 1000 + b, { loss: 1 / b });
    const points = s.take();
    expect(points.length).toBeLessThanOrEqual(101);
    expect(points[0]!.batch).toBe(1);
    expect(points.at(-1)!.batch).toBe(1000);
    expect(points[2]!.batch - points[1]!.batch).toBe(points[3]!.batch - points[2]!.batch);
    expect(points[1]!.step).toBe(1000 + points[1]!.batch);
  });
});

describe('MetricMeans', () => {
  it('weights each batch by its size, as Keras epoch logs do', () => {
    const m = new MetricMeans();
    m.add({ loss: 1, acc: 0 }, 32);
    m.add({ loss: 4, acc: 1 }, 16);
    expect(m.means()).toEqual({ loss: (32 + 64) / 48, acc: 16 / 48 });
  });
});

describe('etaSeconds', () => {
  it('extrapolates the average time per unit and is null before the first unit', () => {
    expect(etaSeconds(0, 0, 10, 5000)).toBeNull();
    expect(etaSeconds(0, 2, 10, 4000)).toBe(16);
    expect(etaSeconds(0, 10, 10, 4000)).toBe(0);
  });
});
