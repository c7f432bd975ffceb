// Gallery logic: which samples a filter keeps, what each caption says, the RGBA pixels of one tile, the tiles of one
// column of a gallery page, the panes' address, and what the enlarge dialog lists.
import { type GalleryPage, type GalleryPageColumn, type GalleryPrediction, type GallerySample, type RunRole } from '../../../shared/contract';
import { GALLERY_PAGE_MAX_EVALUATIONS } from '../../../shared/gallery';

export type GalleryFilter = { kind: 'all' } | { kind: 'fooled-base' } | { kind: 'fooled-adv' } | { kind: 'class'; label: number };

/** A model is fooled on a sample when it is right on the clean image and wrong on the adversarial one. */
export function fooled(sample: GallerySample, role: RunRole): boolean {
  const p = sample.predictions.find((q) => q.role === role);
  return p !== undefined && p.clean === sample.label && p.adversarial !== sample.label;
}

export function filterSamples(samples: readonly GallerySample[], filter: GalleryFilter): GallerySample[] {
  switch (filter.kind) {
    case 'all':
      return [...samples];
    case 'fooled-base':
      return samples.filter((s) => fooled(s, 'base'));
    case 'fooled-adv':
      return samples.filter((s) => fooled(s, 'adv'));
    case 'class':
      return samples.filter((s) => s.label === filter.label);
  }
}

/** Whose gallery it is and where its adversarial images come from: a gallery belongs to one evaluation of one run. */
export interface GalleryView {
  /** The evaluated run ("this run"): Gallery.runId. */
  runId: string;
  /** The run a transfer attack was crafted on; null for a white-box attack (crafted on this run). */
  sourceRunId: string | null;
  /** A run's name for people. */
  nameOf: (runId: string) => string;
}

export interface CaptionPart {
  /** true label, this run on the clean image, this run on the adversarial image, another model on the adversarial image */
  kind: 'true' | 'clean' | 'adversarial' | 'other';
  /** Shown before the text, unmarked (the other model's role). */
  prefix: string;
  text: string;
  wrong: boolean;
  title: string;
}

/** How a model's prediction on the adversarial image came about: white-box when the attack was crafted on that model. */
export function attackOrigin(view: GalleryView, runId: string): string {
  const source = view.sourceRunId ?? view.runId;
  if (whiteBoxFor(view, runId)) return 'white-box: the attack was crafted on it';
  return `transfer: the attack was crafted on ${source === view.runId ? 'this run' : view.nameOf(source)}`;
}

/** Whether the adversarial images were crafted on this model (run id). */
export function whiteBoxFor(view: GalleryView, runId: string): boolean {
  return runId === (view.sourceRunId ?? view.runId);
}

/**
 * "true / clean→adversarial / role adversarial": the label; this run's prediction on the clean image and on the
 * adversarial one; then each other model's (the same seed's other run) on that adversarial image. A wrong prediction
 * is marked; each part's title says what it is, white-box or transfer, and which model the attack was crafted on.
 */
export function caption(sample: GallerySample, classNames: readonly string[], view: GalleryView): CaptionPart[] {
  const name = (c: number) => classNames[c] ?? String(c);
  const parts: CaptionPart[] = [{ kind: 'true', prefix: '', text: name(sample.label), wrong: false, title: `true label ${name(sample.label)}` }];
  const own = sample.predictions.find((q) => q.runId === view.runId);
  if (own) {
    parts.push(
      { kind: 'clean', prefix: '', text: name(own.clean), wrong: own.clean !== sample.label, title: `this run on the clean image: ${name(own.clean)}` },
      {
        kind: 'adversarial', prefix: '', text: name(own.adversarial), wrong: own.adversarial !== sample.label,
        title: `this run on the adversarial image: ${name(own.adversarial)} (${attackOrigin(view, own.runId)})`,
      },
    );
  } else {
    parts.push({ kind: 'clean', prefix: '', text: '—', wrong: false, title: 'no prediction of this run stored' }, { kind: 'adversarial', prefix: '', text: '—', wrong: false, title: 'no prediction of this run stored' });
  }
  for (const p of sample.predictions) {
    if (p.runId === view.runId) continue;
    parts.push({
      kind: 'other', prefix: p.role, text: name(p.adversarial), wrong: p.adversarial !== sample.label,
      title: `${view.nameOf(p.runId)} on the same adversarial image: ${name(p.adversarial)} (${attackOrigin(view, p.runId)}; on the clean image: ${name(p.clean)})`,
    });
  }
  return parts;
}

/** What a gallery's captions and images are, said once above its tiles. */
export function galleryLegend(samples: readonly GallerySample[], view: GalleryView): { crafted: string; caption: string } {
  const source = view.sourceRunId ?? view.runId;
  const crafted = source === view.runId
    ? 'Adversarial images crafted on this run (white-box attack).'
    : `Adversarial images crafted on ${view.nameOf(source)} and shown to this run (transfer attack).`;
  const others = [...new Map(samples.flatMap((s) => s.predictions).filter((p) => p.runId !== view.runId).map((p) => [p.runId, p])).values()];
  const rest = others.map((p) => ` / "${p.role}": ${view.nameOf(p.runId)} on the same adversarial image (${whiteBoxFor(view, p.runId) ? 'white-box' : 'transfer'})`).join('');
  return { crafted, caption: `Caption: true label / this run on the clean image → on the adversarial image${rest}.` };
}

/** Gap in pixels between the three panels of a tile. */
export const TILE_GAP = 2;

export function tileSize(width: number, height: number): { w: number; h: number } {
  return { w: width * 3 + TILE_GAP * 2, h: height };
}

/** One RGBA pixel as a 32-bit word in the platform's byte order, so a pixel is one store instead of four. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
function rgba(r: number, g: number, b: number): number {
  return LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}
const GRAY = Array.from({ length: 256 }, (_, v) => rgba(v, v, v));
/** Perturbation colours indexed by amplified difference + 255: blue (darker) … white (0) … red (brighter). */
const DIVERGING = Array.from({ length: 511 }, (_, i) => {
  const d = i - 255;
  const v = Math.abs(d);
  return d >= 0 ? rgba(255, 255 - v, 255 - v) : rgba(255 - v, 255 - v, 255);
});

/**
 * Paints clean | adversarial | perturbation side by side into `out` (RGBA pixels as 32-bit words, `stride` pixels per
 * row) with the tile's top-left corner at (ox, oy). The perturbation (adversarial − clean, times `amplify`) is drawn
 * diverging on white: red where pixels got brighter, blue where they got darker.
 */
export function paintTile(
  out: Uint32Array,
  stride: number,
  ox: number,
  oy: number,
  sample: Pick<GallerySample, 'clean' | 'adversarial'>,
  width: number,
  height: number,
  amplify: number,
): void {
  const offAdv = width + TILE_GAP;
  const offDiff = 2 * (width + TILE_GAP);
  const clean = sample.clean;
  const adv = sample.adversarial;
  for (let y = 0; y < height; y++) {
    const row = (oy + y) * stride + ox;
    const src = y * width;
    for (let x = 0; x < width; x++) {
      const c = clean[src + x]! & 255;
      const a = adv[src + x]! & 255;
      out[row + x] = GRAY[c]!;
      out[row + offAdv + x] = GRAY[a]!;
      const d = Math.round((a - c) * amplify);
      out[row + offDiff + x] = DIVERGING[(d > 255 ? 255 : d < -255 ? -255 : d) + 255]!;
    }
  }
}

export interface GridLayout {
  cols: number;
  rows: number;
  /** One cell in image pixels: the tile, padding, and room for the caption. */
  cellW: number;
  cellH: number;
  /** Padding around the tile inside its cell, image pixels. */
  pad: number;
  /** The whole canvas in image pixels (drawn `scale` times larger). */
  canvasW: number;
  canvasH: number;
  scale: number;
}

/** Lays `count` tiles out in as many columns as `availableCss` CSS pixels hold (at least one). */
export function gridLayout(count: number, width: number, height: number, scale: number, availableCss: number): GridLayout {
  const { w, h } = tileSize(width, height);
  const pad = 3;
  const caption = Math.ceil(18 / scale);
  const cellW = w + 2 * pad;
  const cellH = h + 2 * pad + caption;
  const cols = Math.max(1, Math.min(count, Math.floor(availableCss / (cellW * scale))));
  const rows = Math.ceil(count / cols);
  return { cols, rows, cellW, cellH, pad, canvasW: cols * cellW, canvasH: Math.max(1, rows) * cellH, scale };
}

/**
 * Paints every tile of the grid into one RGBA buffer (one canvas, one putImageData: 256 separate canvases are slow).
 * Only tile pixels are written; the rest stays transparent (a fresh ImageData is), so the page background shows there.
 */
export function paintGrid(out: Uint8ClampedArray, samples: readonly (Pick<GallerySample, 'clean' | 'adversarial'> | null)[], layout: GridLayout, width: number, height: number, amplify: number): void {
  const words = new Uint32Array(out.buffer, out.byteOffset, out.byteLength >> 2);
  samples.forEach((s, i) => {
    // an example whose image was not stored keeps an empty cell
    if (s === null) return;
    const col = i % layout.cols;
    const row = Math.floor(i / layout.cols);
    paintTile(words, layout.canvasW, col * layout.cellW + layout.pad, row * layout.cellH + layout.pad, s, width, height, amplify);
  });
}

/** Distinct labels present, for the "by class" filter. */
export function labelsPresent(samples: readonly GallerySample[]): number[] {
  return [...new Set(samples.map((s) => s.label))].sort((a, b) => a - b);
}

/** One example of a gallery page as one pane shows it: its image where stored, and the mask's right/wrong. */
export interface GalleryTile {
  index: number;
  label: number | null;
  sample: GallerySample | null;
  /** Still right on the adversarial image; null when unknown. */
  correct: boolean | null;
  perturbation: { linf: number; l2: number } | null;
}

/** The tiles of the column showing `evaluationId` (every entry, in page order); [] when the page does not show it. */
export function columnTiles(page: GalleryPage, evaluationId: number): GalleryTile[] {
  const c = page.columns.findIndex((col) => col.evaluationId === evaluationId);
  if (c < 0) return [];
  return page.entries.map((e) => {
    const cell = e.cells[c]!;
    return { index: e.index, label: cell.sample?.label ?? e.label, sample: cell.sample, correct: cell.correct, perturbation: cell.perturbation };
  });
}

export function columnOf(page: GalleryPage | null, evaluationId: number | null): GalleryPageColumn | null {
  return page?.columns.find((c) => c.evaluationId === evaluationId) ?? null;
}

/** The prediction filters look at stored images only; 'all' keeps every tile, stored or not. */
export function filterTiles(tiles: readonly GalleryTile[], filter: GalleryFilter): GalleryTile[] {
  if (filter.kind === 'all') return [...tiles];
  const keep = new Set(filterSamples(tiles.flatMap((t) => (t.sample ? [t.sample] : [])), filter));
  return tiles.filter((t) => t.sample !== null && keep.has(t.sample));
}

/** One gallery pane's run and evaluation, as the address holds them. */
export interface PaneChoice {
  run: string;
  eval: number | null;
}

export const MAX_PANES = GALLERY_PAGE_MAX_EVALUATIONS;

/** Address keys of pane `i` (0-based): run/eval, run2/eval2, run3/eval3, … */
export function paneKeys(i: number): { run: string; eval: string } {
  return i === 0 ? { run: 'run', eval: 'eval' } : { run: `run${i + 1}`, eval: `eval${i + 1}` };
}

/** The panes an address asks for: the first always, then each runN present (empty = "choose a run"), in order. */
export function panesOf(query: URLSearchParams): PaneChoice[] {
  const panes: PaneChoice[] = [];
  for (let i = 0; i < MAX_PANES; i++) {
    const k = paneKeys(i);
    if (i > 0 && !query.has(k.run)) break;
    panes.push({ run: query.get(k.run) ?? '', eval: Number(query.get(k.eval)) || null });
  }
  return panes;
}

/** The address query of `panes` (a later pane's empty run is kept: it still means "show this pane"). */
export function panesQuery(panes: readonly PaneChoice[]): URLSearchParams {
  const q = new URLSearchParams();
  panes.slice(0, MAX_PANES).forEach((p, i) => {
    const k = paneKeys(i);
    if (p.run !== '' || i > 0) q.set(k.run, p.run);
    if (p.eval !== null) q.set(k.eval, String(p.eval));
  });
  return q;
}

/** Every class's probability on the clean and the adversarial image; null when the evaluation stored none. */
export function confidenceRows(p: GalleryPrediction, classNames: readonly string[]): { label: number; name: string; clean: number; adversarial: number }[] | null {
  const c = p.cleanProbabilities;
  const a = p.adversarialProbabilities;
  if (!c || !a) return null;
  const n = Math.max(c.length, a.length, classNames.length);
  return Array.from({ length: n }, (_, i) => ({ label: i, name: classNames[i] ?? String(i), clean: c[i] ?? 0, adversarial: a[i] ?? 0 }));
}
