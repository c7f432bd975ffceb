// Gallery logic: fooled filters, captions, and the pixels of the clean | adversarial | perturbation tiles.
import { describe, expect, it } from 'vitest';
import { type GallerySample } from '../../../src/shared/contract';
import { attackOrigin, caption, filterSamples, galleryLegend, fooled, gridLayout, labelsPresent, paintGrid, paintTile, tileSize, TILE_GAP } from '../../../src/renderer/src/lib/gallery';

function sample(index: number, label: number, base: [number, number] | null, adv: [number, number] | null): GallerySample {
  const predictions: GallerySample['predictions'] = [];
  if (base) predictions.push({ runId: 'run_b', role: 'base', clean: base[0], adversarial: base[1] });
  if (adv) predictions.push({ runId: 'run_a', role: 'adv', clean: adv[0], adversarial: adv[1] });
  return { index, label, clean: [0, 64, 128, 255], adversarial: [10, 64, 100, 255], predictions };
}

const samples = [
  sample(0, 7, [7, 3], [7, 7]), // base fooled, adv holds
  sample(1, 2, [2, 2], [2, 5]), // adv fooled
  sample(2, 4, [9, 9], [4, 4]), // base wrong on clean already: not "fooled"
  sample(3, 7, [7, 7], null),
];

describe('filters', () => {
  it('a model is fooled only when right on the clean image and wrong on the adversarial one', () => {
    expect(samples.map((s) => fooled(s, 'base'))).toEqual([true, false, false, false]);
    expect(samples.map((s) => fooled(s, 'adv'))).toEqual([false, true, false, false]);
  });

  it('filters all / fooled base / fooled adv / by class', () => {
    expect(filterSamples(samples, { kind: 'all' })).toHaveLength(4);
    expect(filterSamples(samples, { kind: 'fooled-base' }).map((s) => s.index)).toEqual([0]);
    expect(filterSamples(samples, { kind: 'fooled-adv' }).map((s) => s.index)).toEqual([1]);
    expect(filterSamples(samples, { kind: 'class', label: 7 }).map((s) => s.index)).toEqual([0, 3]);
    expect(labelsPresent(samples)).toEqual([2, 4, 7]);
  });
});

describe('caption', () => {
  const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const nameOf = (id: string) => ({ run_b: 'exp · base', run_a: 'exp · adv' })[id] ?? id;
  const read = (parts: ReturnType<typeof caption>) => parts.map((p) => [p.kind, p.prefix, p.text, p.wrong]);

  it("reads true / this run's clean → adversarial prediction / the other run's on the adversarial image", () => {
    // the base run's white-box gallery: its own prediction first, the adv run's (a transfer from it) after
    const view = { runId: 'run_b', sourceRunId: null, nameOf };
    expect(read(caption(samples[0]!, names, view))).toEqual([
      ['true', '', 'seven', false], ['clean', '', 'seven', false], ['adversarial', '', 'three', true], ['other', 'adv', 'seven', false],
    ]);
    // a model already wrong on the clean image is marked there
    expect(read(caption(samples[2]!, names, view)).slice(1, 3)).toEqual([['clean', '', 'nine', true], ['adversarial', '', 'nine', true]]);
    expect(read(caption(samples[3]!, [], view))).toEqual([['true', '', '7', false], ['clean', '', '7', false], ['adversarial', '', '7', false]]);
  });

  it('says which model the attack was crafted on: white-box for that model, a transfer for the other', () => {
    const whiteBox = caption(samples[0]!, names, { runId: 'run_b', sourceRunId: null, nameOf });
    expect(whiteBox[2]!.title).toBe('this run on the adversarial image: three (white-box: the attack was crafted on it)');
    expect(whiteBox[3]!.title).toBe('exp · adv on the same adversarial image: seven (transfer: the attack was crafted on this run; on the clean image: seven)');
    // the adv run's transfer from the base run: "this run" is the adv run, and the base prediction is the white-box one
    const transfer = caption(samples[1]!, names, { runId: 'run_a', sourceRunId: 'run_b', nameOf });
    expect(read(transfer)).toEqual([['true', '', 'two', false], ['clean', '', 'two', false], ['adversarial', '', 'five', true], ['other', 'base', 'two', false]]);
    expect(transfer[2]!.title).toBe('this run on the adversarial image: five (transfer: the attack was crafted on exp · base)');
    expect(transfer[3]!.title).toMatch(/^exp · base on the same adversarial image: two \(white-box: the attack was crafted on it;/);
    expect(attackOrigin({ runId: 'run_a', sourceRunId: 'run_x', nameOf }, 'run_b')).toBe('transfer: the attack was crafted on run_x');
  });

  it('says once per gallery where its images were crafted and what each caption part is', () => {
    expect(galleryLegend(samples, { runId: 'run_b', sourceRunId: null, nameOf })).toEqual({
      crafted: 'Adversarial images crafted on this run (white-box attack).',
      caption: 'Caption: true label / this run on the clean image → on the adversarial image / "adv": exp · adv on the same adversarial image (transfer).',
    });
    expect(galleryLegend(samples, { runId: 'run_a', sourceRunId: 'run_b', nameOf })).toEqual({
      crafted: 'Adversarial images crafted on exp · base and shown to this run (transfer attack).',
      caption: 'Caption: true label / this run on the clean image → on the adversarial image / "base": exp · base on the same adversarial image (white-box).',
    });
  });
});

describe('paintTile', () => {
  const px = (buf: Uint8ClampedArray, stride: number, x: number, y: number) => Array.from(buf.subarray((y * stride + x) * 4, (y * stride + x) * 4 + 4));

  it('draws clean and adversarial in grey and the amplified difference red (brighter) / blue (darker) on white', () => {
    const w = 2;
    const h = 2;
    const { w: tw, h: th } = tileSize(w, h);
    expect(tw).toBe(3 * w + 2 * TILE_GAP);
    const buf = new Uint8ClampedArray(tw * th * 4);
    paintTile(new Uint32Array(buf.buffer), tw, 0, 0, { clean: [0, 64, 128, 255], adversarial: [10, 64, 100, 255] }, w, h, 4);
    expect(px(buf, tw, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(px(buf, tw, 1, 1)).toEqual([255, 255, 255, 255]);
    const adv = w + TILE_GAP;
    expect(px(buf, tw, adv, 0)).toEqual([10, 10, 10, 255]);
    expect(px(buf, tw, adv + 0, 1)).toEqual([100, 100, 100, 255]);
    const diff = 2 * (w + TILE_GAP);
    expect(px(buf, tw, diff, 0)).toEqual([255, 255 - 40, 255 - 40, 255]); // +10 × 4 → red
    expect(px(buf, tw, diff + 1, 0)).toEqual([255, 255, 255, 255]); // unchanged → white
    expect(px(buf, tw, diff, 1)).toEqual([255 - 112, 255 - 112, 255, 255]); // −28 × 4 → blue
  });

  it('saturates large differences instead of wrapping', () => {
    const buf = new Uint8ClampedArray(tileSize(1, 1).w * 4);
    paintTile(new Uint32Array(buf.buffer), tileSize(1, 1).w, 0, 0, { clean: [0], adversarial: [200] }, 1, 1, 20);
    expect(Array.from(buf.subarray(2 * (1 + TILE_GAP) * 4))).toEqual([255, 0, 0, 255]);
  });
});

describe('grid', () => {
  it('fits as many columns as the width holds, at least one', () => {
    const l = gridLayout(10, 28, 28, 2, 1000);
    expect(l.cols).toBe(Math.floor(1000 / (l.cellW * 2)));
    expect(l.rows).toBe(Math.ceil(10 / l.cols));
    expect(gridLayout(10, 28, 28, 2, 10).cols).toBe(1);
    expect(gridLayout(2, 28, 28, 2, 5000).cols).toBe(2);
  });

  it('paints each tile into its own cell of one buffer', () => {
    const l = gridLayout(3, 1, 1, 1, 1000);
    const buf = new Uint8ClampedArray(l.canvasW * l.canvasH * 4);
    paintGrid(buf, [{ clean: [10], adversarial: [10] }, { clean: [20], adversarial: [20] }, { clean: [30], adversarial: [30] }], l, 1, 1, 1);
    for (let i = 0; i < 3; i++) {
      const o = (l.pad * l.canvasW + i * l.cellW + l.pad) * 4;
      expect(buf[o]).toBe(10 * (i + 1));
    }
    // outside the tiles nothing is written: transparent, the page background shows through
    expect(Array.from(buf.subarray(0, 4))).toEqual([0, 0, 0, 0]);
  });
});
