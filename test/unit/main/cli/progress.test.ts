import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../../../src/main/cli/progress';
import { type ProgressEvent } from '../../../../src/shared/contract';

const ev = (over: Partial<ProgressEvent>): ProgressEvent => ({ runId: 'run_a', phase: 'train', epoch: 1, epochs: 2, batch: 0, batches: 10, loss: 0.25, accuracy: 0.875, etaSeconds: 90, ...over });

function sink(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { out: { write: (t: string) => void writes.push(t), isTTY, ...(columns ? { columns } : {}) }, writes };
}

describe('ProgressBar', () => {
  it('renders batch/epoch, loss, accuracy and ETA', () => {
    const { out } = sink(false);
    expect(new ProgressBar(out, 'adv').render(ev({ batch: 5 }))).toBe('adv  [############............]  epoch 1/2 batch 5/10  loss 0.2500  acc 87.5%  ETA 1m30s');
    expect(new ProgressBar(out, 'adv').render(ev({ loss: null, accuracy: null, etaSeconds: null, phase: 'evaluate' }))).toBe('adv  [........................]  attack batch 0/10  ETA —');
  });

  it('redraws one line in place on a terminal and ends it with a newline', () => {
    const { out, writes } = sink(true);
    const bar = new ProgressBar(out, 'base');
    bar.update(ev({ batch: 1 }));
    bar.update(ev({ batch: 2 }));
    bar.done('base done');
    expect(writes).toHaveLength(3);
    expect(writes.slice(0, 2).every((w) => w.startsWith('\r') && w.endsWith('\x1b[K') && !w.includes('\n'))).toBe(true);
    expect(writes[2]).toBe('\rbase done\x1b[K\n');
  });

  it('cuts the line to the terminal width', () => {
    const { out, writes } = sink(true, 30);
    new ProgressBar(out, 'base').update(ev({ batch: 1 }));
    expect(writes[0]!.replace('\r', '').replace('\x1b[K', '').length).toBe(29);
  });

  it('prints plain lines without a terminal: each new epoch, else at most one per interval', () => {
    const { out, writes } = sink(false);
    let t = 0;
    const bar = new ProgressBar(out, 'base', 1000, () => t);
    bar.update(ev({ batch: 1 }));
    t = 500;
    bar.update(ev({ batch: 2 }));
    t = 1200;
    bar.update(ev({ batch: 3 }));
    t = 1300;
    bar.update(ev({ epoch: 2, batch: 1 }));
    bar.done();
    expect(writes.map((w) => w.match(/epoch \d\/2 batch \d+/)?.[0])).toEqual(['epoch 1/2 batch 1', 'epoch 1/2 batch 3', 'epoch 2/2 batch 1', 'epoch 2/2 batch 1']);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
  });
});
