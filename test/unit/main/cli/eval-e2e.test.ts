// `rlab eval` and `rlab show` through the real binary on a tiny model: the complete spec of every number, its 95%
// interval, the per-ε ensemble, the comparable headline, another dataset's test split, and bad input refused.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunDetail, type RunSummary } from '../../../../src/shared/contract';
import { writeDataset } from '../../../../src/main/lab/data/store';
import { runRlab, type RlabResult } from './rlab-process';

let home: string;
let runId: string;
const rlab = (args: string[], timeoutMs = 200_000): Promise<RlabResult> => runRlab(home, args, timeoutMs);

/** An imported dataset written straight into the lab's cache (what `importDataset` leaves there). */
async function imported(id: string, count: number, side: number, classes: number): Promise<void> {
  const images = Uint8Array.from({ length: count * side * side }, (_, i) => (i * 53) % 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  const classNames = Array.from({ length: classes }, (_, i) => `c${i}`);
  await writeDataset(path.join(home, 'data'), { id, name: id, kind: 'imported', source: 'test', classNames, count, height: side, width: side, images, labels });
}

async function evaluations(): Promise<number> {
  return (JSON.parse((await rlab(['show', runId, '--json'])).stdout) as RunDetail).evaluations.length;
}

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'rlab-eval-e2e-'));
  const r = await rlab(['run', '--preset', 'quick', '--runs', 'base', '--train-size', '128', '--test-size', '48', '--epochs', '1', '--conv-filters', '2', '--fc-units', '4', '--name', 'tiny'], 280_000);
  expect(r.code, r.stderr).toBe(0);
  runId = (JSON.parse((await rlab(['ls', '--json'])).stdout) as RunSummary[])[0]!.id;
  await imported('small-images', 40, 8, 10);
  await imported('three-classes', 40, 28, 3);
  await imported('other-digits', 40, 28, 10);
}, 300_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('rlab eval / show', () => {
  it('pgd without --steps is PGD-10 from a random start, printed with its settings and interval', async () => {
    const r = await rlab(['eval', runId, '--attack', 'pgd', '--eps', '0.1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PGD-10 ∞ ε0\.1\s+10 steps of 0\.025, random start, loss ce, seed 0\s+white-box\s+\d+\.\d\d%\s+\d+\.\d–\d+\.\d%\s+48 mnist-sample #[0-9a-f]{8}/);
    const json = JSON.parse((await rlab(['eval', runId, '--attack', 'apgd-t', '--eps', '0.1', '--steps', '5', '--json'])).stdout) as { evaluations: RunDetail['evaluations'] };
    expect(json.evaluations[0]!.spec).toMatchObject({ attack: 'apgd-t', steps: 5, targets: 9, loss: 'dlr-targeted', randomStart: true });
    expect(json.evaluations[0]).toMatchObject({ count: 48, hasMask: true, subset: { dataset: 'mnist-sample', size: 48 } });
  }, 200_000);

  it('show lists every number with its spec, the per-ε ensemble of all attacks and the AutoAttack headline', async () => {
    const r = await rlab(['show', runId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ {3}robust \d+\.\d\d% \(95% CI \d+\.\d–\d+\.\d%\) AutoAttack ∞ ε0\.2, 48 images #[0-9a-f]{8}/);
    expect(r.stdout).toMatch(/AutoAttack ∞ ε0\.2\s+APGD 100 steps, APGD-T 9 targets, Square 5000 queries/);
    expect(r.stdout).toMatch(/ensemble \(all attacks\)[^\n]*\n-+[^\n]*\n(∞ ε0\.1[^\n]*\n)?∞ ε0\.2\s+\d+\.\d\d%\s+\d+\.\d–\d+\.\d%\s+48 mnist-sample #[0-9a-f]{8}\s+FGSM ∞ ε0\.2 \+ PGD-20 ∞ ε0\.2 \+ AutoAttack ∞ ε0\.2/);
    expect(r.stdout).toMatch(/AutoAttack ∞ ε0\.2: APGD-CE \d+\.\d\d% → APGD-T \d+\.\d\d% → Square \d+\.\d\d%/);
    const detail = JSON.parse((await rlab(['show', runId, '--json'])).stdout) as RunDetail;
    const at02 = detail.evaluations.filter((e) => e.attack !== 'clean' && e.epsilon === 0.2);
    const ensemble = detail.ensembles.find((x) => x.epsilon === 0.2)!;
    expect(ensemble.accuracy).toBeLessThanOrEqual(Math.min(...at02.map((e) => e.accuracy)));
    expect(detail.headline).toMatchObject({ attack: 'AutoAttack', count: 48 });
    const ls = await rlab(['ls']);
    expect(ls.stdout).toMatch(/robust \(AutoAttack ∞ ε0\.2, 48 images\)/);
  }, 200_000);

  it("evaluates on another dataset's test split and records which images it scored", async () => {
    const r = await rlab(['eval', runId, '--attack', 'fgsm', '--eps', '0.1', '--dataset', 'imported:other-digits', '--test-size', '20', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [e] = (JSON.parse(r.stdout) as { evaluations: RunDetail['evaluations'] }).evaluations;
    expect(e).toMatchObject({ count: 20, subset: { dataset: 'other-digits', size: 20 } });
  }, 200_000);

  it('refuses bad input with exit 2 and one line naming the flag, storing nothing', async () => {
    const before = await evaluations();
    const cases: [string[], RegExp][] = [
      [['--attack', 'bogus', '--eps', '0.1'], /^rlab eval: --attack must be one of "fgsm", "pgd", "pgd-cw", "apgd-ce", "apgd-t", "square", "autoattack"/],
      [['--attack', 'pgd', '--eps', '1.5'], /^rlab eval: --eps.* must be in \[0, 1\] for the infinity norm/],
      [['--attack', 'pgd', '--norm', 'l2', '--eps', '29'], /^rlab eval: --eps.*28/],
      [['--attack', 'pgd', '--eps', '0.1', '--steps', '0'], /^rlab eval: --steps must be ≥ 1/],
      [['--attack', 'pgd', '--eps', '0.1', '--steps', '99999999'], /^rlab eval: --steps must be ≤ 10000/],
      [['--attack', 'pgd', '--eps', '0.1', '--restarts', '0'], /^rlab eval: --restarts must be ≥ 1/],
      [['--attack', 'square', '--eps', '0.1', '--queries', '0'], /^rlab eval: --queries must be ≥ 1/],
      [['--attack', 'apgd-t', '--eps', '0.1', '--targets', '10'], /^rlab eval: --targets must be an integer in \[1, 9\]/],
      [['--attack', 'fgsm', '--eps', '0.1', '--steps', '3'], /^rlab eval: --steps cannot be set for fgsm/],
      [['--attack', 'fgsm', '--eps', '0.1', '--dataset', 'imported:small-images'], /^rlab eval: --dataset "small-images" has 8×8×1 images but the run's model takes 28×28×1/],
      [['--attack', 'fgsm', '--eps', '0.1', '--dataset', 'imported:three-classes'], /^rlab eval: --dataset "three-classes" has 3 classes but the run's model predicts 10/],
      [['--attack', 'fgsm', '--eps', '0.1', '--dataset', 'imported:nowhere'], /^rlab eval: --dataset "nowhere" cannot be evaluated on/],
      [['--attack', 'fgsm', '--eps', '0.1', '--dataset', 'imported:other-digits', '--test-size', '40'], /^rlab eval: --test-size must be an integer in \[1, 39\]/],
    ];
    for (const [args, line] of cases) {
      const r = await rlab(['eval', runId, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(line);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(await evaluations()).toBe(before);
  }, 300_000);
});
